/**
 * The English hints about a model: one the account may not use (is the tier the reason, or who
 * else refused it) and one the endpoint does not know (a typo, a deleted fine-tune, an Azure
 * deployment, a relay's id, a retired model).
 */
import { TIERS } from '../tiers.js';
import {
  accessSuspects,
  pendingTierStep,
  reach,
  reachSteps,
  renamedSentence,
  residencySentence,
  theModel,
} from './en-parts.js';
import { pageLink } from './links.js';
import type { Hint } from '../types.js';
import type { HintContext } from './types.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'en');
const present = (...steps: (string | undefined)[]): string[] =>
  steps.filter((step): step is string => step !== undefined);

/** A model-access refusal: who refused, and whether the tier is the reason. */
export function accessHint(c: HintContext): Hint {
  const model = theModel(c);
  const renamed = renamedSentence(c);
  const fallBack = 'Meanwhile, fall back to another model or endpoint (a fallback chain does it per call).';
  if (c.provider === 'azure' || c.provider === 'other') {
    const azure = c.provider === 'azure';
    return {
      title: `${azure ? 'Azure OpenAI' : 'The endpoint'} refused ${model} for this key`,
      why: azure
        ? `The Azure OpenAI resource did not let this key call ${model}. Azure serves deployments: OpenAI's usage tiers do not apply.`
        : `The relay or gateway at the base URL did not let this key call ${model}: its plan, channels or model list do not include it. OpenAI's usage tiers do not apply to it.`,
      steps: present(
        renamed,
        azure
          ? 'Open the resource in the Azure portal → Deployments: call the deployment name (not the model name), with this resource’s key and endpoint.'
          : "Open the relay's dashboard: the model may need enabling, a plan, or credit with that provider.",
        'GET /v1/models with the same key and base URL lists what this endpoint serves.',
        fallBack,
      ),
      links: azure ? [link('azureDeployments')] : [link('models')],
    };
  }
  if (/\bproject\b/i.test(c.message)) {
    return {
      title: `The project does not allow ${model}`,
      why: `The project${c.project === undefined ? '' : ` ${c.format.code(c.project)}`} restricts which models it may call, and ${model} is not allowed. The usage tier is not the reason.`,
      steps: present(
        renamed,
        'Open Projects → the project → Limits, and add the model to its allowed models (or use a key of a project without the restriction).',
        'Or use a model the project allows.',
      ),
      links: [link('projects'), link('limits')],
    };
  }
  const s = c.standing;
  const residency = residencySentence(c);
  if (s !== undefined && s.allows === true) {
    const tier = c.format.tier(s.account ?? s.needed);
    return {
      title: s.named
        ? `The API says ${model} needs ${c.format.tier(s.needed)}, and the account is on ${tier}`
        : `Your tier can use ${model}: the cause is elsewhere`,
      why: s.named
        ? `The API still counts this organization below ${c.format.tier(s.needed)}. A tier change can take hours to reach every model, or the key belongs to another organization (with its own tier).`
        : `${model} needs ${c.format.tier(s.needed)}, and the account is on ${tier}: the usage tier is not why the API refused it.`,
      steps: s.named
        ? present(
            renamed,
            `Open Limits and check that "Usage tier" shows ${tier} for the organization of this key (a key of another organization has that organization's tier).`,
            pendingTierStep(),
            residency,
            fallBack,
          )
        : present(renamed, ...accessSuspects(c), residency, fallBack),
      links: [
        link('limits'),
        link('projects'),
        link('apiKeys'),
        ...(residency === undefined ? [] : [link('residency')]),
      ],
    };
  }
  if (s !== undefined && s.allows === false) {
    const account = c.format.tier(s.account ?? 'free');
    return {
      title: `${model} needs ${c.format.tier(s.needed)}; the account is on ${account}`,
      why: `${s.named ? 'The API names the tier it needs: ' : `${model} needs at least `}${c.format.tier(s.needed)} (${reach(c, s.qualification)}). ${account} cannot use it yet; paying does not unlock every model at once.`,
      steps: present(
        renamed,
        ...reachSteps(c, s.qualification),
        `Meanwhile, fall back to a model ${account} can use (Limits lists them), or to another endpoint.`,
      ),
      links: [link('limits'), link('billing'), link('models')],
    };
  }
  if (s !== undefined) {
    const needed = c.format.tier(s.needed);
    const excluded = c.requirement?.notSupportedOn.map((tier) => c.format.tier(tier)).join(', ') ?? '';
    const notOn =
      excluded === '' ? '' : ` ${excluded.charAt(0).toUpperCase()}${excluded.slice(1)} cannot use it.`;
    const below = TIERS.indexOf(s.needed) > 0;
    return {
      title: `This account or project cannot use ${model}`,
      why: `${model} exists, but this account cannot use it now. ${s.named ? `The API names the tier it needs: ${needed}` : `It needs at least ${needed}`} (${reach(c, s.qualification)}).${notOn} If the account is on ${needed} or above already, the tier is not the reason.`,
      steps: present(
        renamed,
        'Open Limits and look at "Usage tier".',
        below ? `Below ${needed}: ${reachSteps(c, s.qualification).join(' ')}` : undefined,
        `On ${needed} or above: ${accessSuspects(c).join(' ')}`,
        residency,
        fallBack,
      ),
      links: [
        link('limits'),
        link('billing'),
        link('projects'),
        ...(residency === undefined ? [] : [link('residency')]),
      ],
    };
  }
  return {
    title: `This account or project cannot use ${model}`,
    why: `${model} exists, but this account cannot use it now. tierguard has no published tier table for it: open Limits to see whether your tier includes it.`,
    steps: present(
      renamed,
      'Open Limits: it lists the models your tier can use.',
      ...accessSuspects(c),
      residency,
      fallBack,
    ),
    links: [
      link('limits'),
      link('projects'),
      link('models'),
      ...(residency === undefined ? [] : [link('residency')]),
    ],
  };
}

/** A model the endpoint does not know: a typo, a deleted fine-tune, a deployment, a relay's id, a retired model. */
export function notFoundHint(c: HintContext): Hint {
  const model = theModel(c);
  const renamed = renamedSentence(c);
  switch (c.modelSort) {
    case 'deployment':
      return {
        title: `The Azure deployment${c.model === undefined ? '' : ` ${model}`} does not exist`,
        why: 'The Azure OpenAI resource has no deployment of that name (one created in the last few minutes may not be ready yet). Azure calls address deployments, not models: usage tiers do not apply.',
        steps: present(
          renamed,
          'Open the resource in the Azure portal (or Azure AI Foundry) → Deployments, and copy the deployment name exactly; pass it as `deployment` to AzureOpenAI (or as the model).',
          "Check that the endpoint is this resource's (https://<resource>.openai.azure.com) and that the api-version supports the model.",
          'If you just created the deployment, wait a few minutes and retry.',
        ),
        links: [link('azureDeployments'), link('azureApiVersions')],
      };
    case 'fine-tune':
      return {
        title: `The fine-tuned model ${model} is not available to this key`,
        why: `A fine-tune belongs to the organization and project that trained it. This one was deleted, belongs to another organization${c.fineTune?.organization === undefined ? '' : ` (its name says ${c.format.code(c.fineTune.organization)})`} or project, or its name is misspelled (the id after the last colon must match exactly). Usage tiers do not gate fine-tunes.`,
        steps: present(
          renamed,
          'Open the Fine-tuning dashboard (or GET /v1/fine_tuning/jobs, field fine_tuned_model) and copy the model name exactly.',
          'Use a key of the organization and project that created it; unset OPENAI_ORG_ID and OPENAI_PROJECT_ID if they point elsewhere.',
          c.fineTune === undefined
            ? 'If it was deleted, train it again, or fall back to its base model.'
            : `If it was deleted, train it again, or fall back to its base model ${c.format.code(c.fineTune.base)}.`,
        ),
        links: [link('fineTuning'), link('models')],
      };
    case 'relay':
      return {
        title: `The endpoint does not serve ${model}`,
        why: `${model} is a relay's vendor/model id${c.vendor === undefined ? '' : ` (vendor ${c.format.code(c.vendor)})`}: the relay or gateway at the base URL does not offer it to this key, or spells it differently. OpenAI's usage tiers do not apply to its catalogue.`,
        steps: present(
          renamed,
          'List what the endpoint serves (GET /v1/models with the same key and base URL) and copy the id exactly, vendor prefix included.',
          "Check the relay's dashboard: the model may need enabling, a plan, or credit with that provider.",
          'Fall back to another model the relay offers.',
        ),
        links: [link('models')],
      };
    case 'retired':
      return {
        title: `The model ${model} was shut down${c.retiredOn === undefined ? '' : ` on ${c.retiredOn}`}`,
        why: `OpenAI retired ${model}${c.retiredOn === undefined ? '' : ` on ${c.retiredOn}`}; the API answers 404 for it since.${c.successor === undefined ? '' : ` The replacement OpenAI recommends is ${c.format.code(c.successor)}.`}`,
        steps: present(
          renamed,
          c.successor === undefined
            ? 'Switch to a current model (the deprecations page names a replacement).'
            : `Switch to ${c.format.code(c.successor)}, and test your prompts on it first.`,
          'Check the deprecations page for the other models your code uses, and their shutdown dates.',
          'Keep a fallback chain so that a shutdown degrades a call instead of failing it.',
        ),
        links: [link('deprecations'), link('models')],
      };
    default:
      // Another provider, a proxy or a self-hosted server serves its own list: OpenAI's pages do not hold it.
      if (c.provider === 'other')
        return {
          title:
            c.model === undefined ? 'The model does not exist there' : `The endpoint does not serve ${model}`,
          why: `The endpoint knows no model named ${model}: a provider, gateway or server other than OpenAI serves its own model list (or no longer serves this one), or the name is misspelled.`,
          steps: present(
            renamed,
            'Call GET /v1/models with the same key and base URL to see what this endpoint serves, and copy the id exactly.',
            "Check the endpoint's own model list or dashboard: the model may need pulling (Ollama), adding to the proxy's model list (LiteLLM), a dedicated endpoint (Together), or a replacement after a deprecation.",
            'Fall back to another model the endpoint serves.',
          ),
          links: [],
        };
      return {
        title:
          c.model === undefined
            ? 'The model or deployment does not exist'
            : `The model ${model} does not exist`,
        why: `The API knows no model named ${model}: the name is misspelled, belongs to another provider, or the base URL points to a server that does not have it.`,
        steps: present(
          renamed,
          'Check the exact model name against the models list (names are case-sensitive and dated snapshots end in -YYYY-MM-DD).',
          'Call GET /v1/models with the same key and base URL to see what this endpoint serves.',
          'On Azure, use the deployment name (not the model name) and check that the deployment exists.',
          residencySentence(c),
        ),
        links: [link('models'), link('limits'), ...(c.region === undefined ? [] : [link('residency')])],
      };
  }
}

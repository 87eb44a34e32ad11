/**
 * The checklist `tierguard doctor` runs, in the troubleshooting guides' order: key present →
 * the network reaches the API → the API accepts the key → billing active and credit left → each
 * wanted model reachable → region served → the rate limits and the tier they match.
 *
 * A failure is reported once, under the check it belongs to: a network failure (DNS, refused,
 * reset, timeout, TLS, a proxy's page) is the network's, never the key's; only an answer from the
 * API that refuses the key says the key is wrong. The checks a failure leaves undecided are listed
 * as not checked, without repeating the failure.
 */
import { requiredTier, tierQualification } from '../advisor/required-tier.js';
import { MODEL_TIER_LIMITS, TIERS, type Tier, type TierRow } from '../data/tiers.js';
import type { Cause } from '../data/causes.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { Diagnosis, Hint, Locale, Provider } from '../diagnose/types.js';
import { resolveModel } from '../models/resolve.js';
import { readRateLimitHeaders } from '../util/rate-limit-headers.js';
import { maskKey } from '../util/mask.js';
import { DOCTOR_TEXT, type CheckId, type DoctorText } from './doctor-text.js';
import { failureOfAnswer, failureOfError, type NetworkFailure } from './network.js';
import { networkHint, type NetworkContext } from './network-text.js';

/** How one check came out. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One line of the checklist. */
export interface DoctorStep {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly title: string;
  readonly model?: string;
  /** The API's refusal (or what the library makes of a network failure), diagnosed. */
  readonly diagnosis?: Diagnosis;
  /** How the network failed, when nothing reached the API. */
  readonly network?: NetworkFailure;
  /** What to print under a failed check: the diagnosis's hint, or the network failure's. */
  readonly help?: Hint;
  /** For a model above the account's tier: the tier to reach, the amount and the wait. */
  readonly plan?: string;
}

/** Options of `runDoctor`. */
export interface DoctorOptions {
  readonly baseURL: string;
  readonly apiKey: string | undefined;
  readonly organization?: string | undefined;
  readonly project?: string | undefined;
  readonly models: readonly string[];
  readonly timeoutMs: number;
  readonly locale: Locale;
  /** Who serves the base URL, when the caller knows better than the URL (the simulator is OpenAI's double). */
  readonly provider?: Provider | undefined;
}

/** What one request came back with. */
type Answer =
  | { readonly kind: 'ok'; readonly status: number; readonly headers: Headers; readonly body: string }
  | { readonly kind: 'refused'; readonly status: number; readonly headers: Headers; readonly body: string }
  | { readonly kind: 'network'; readonly failure: NetworkFailure; readonly raw: unknown };

// Refusals that end the checklist, and the check each belongs to.
const KEY_CAUSES: ReadonlySet<Cause> = new Set([
  'invalid_api_key',
  'organization_mismatch',
  'account_deactivated',
  'ip_not_allowed',
]);
const BILLING_CAUSES: ReadonlySet<Cause> = new Set([
  'insufficient_quota',
  'spend_limit_reached',
  'billing_not_active',
]);
const ORDER: readonly CheckId[] = ['auth', 'billing', 'model', 'region', 'limits'];

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  // A timer that keeps the process alive, unlike AbortSignal.timeout's: Node 20's fetch sometimes
  // loses a connection the server resets (2 in 100 here) and never settles; with nothing else
  // pending the process would exit 0 having printed nothing. This way it ends as a timeout.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const body = await response.text();
    const notTheApi = failureOfAnswer(response.status, response.headers, body);
    if (notTheApi !== undefined)
      return {
        kind: 'network',
        failure: notTheApi,
        raw: { status: response.status, headers: response.headers, body },
      };
    return { kind: response.ok ? 'ok' : 'refused', status: response.status, headers: response.headers, body };
  } catch (error) {
    return { kind: 'network', failure: failureOfError(error), raw: error };
  } finally {
    clearTimeout(timer);
  }
}

/** A minimal call that proves a model can serve: one output token, or one embedding of "ping". */
function minimalCall(model: string): { path: string; body: Record<string, unknown> } {
  const kind = resolveModel(model).info?.kind;
  if (kind === 'embedding') return { path: '/embeddings', body: { model, input: 'ping' } };
  // Reasoning models refuse max_tokens; max_completion_tokens works for every chat model.
  return {
    path: '/chat/completions',
    body: { model, messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 1 },
  };
}

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;

/** The tier whose published row matches what the headers said. */
function matchTier(model: string, rpm: number | undefined, tpm: number | undefined): Tier | undefined {
  const resolved = resolveModel(model);
  const family = resolved.limitsFamily ?? resolved.family;
  // Own keys only: a model named `constructor` has no row.
  const row = Object.hasOwn(rows, family) ? rows[family] : undefined;
  if (row === undefined) return undefined;
  return TIERS.find((tier) => {
    const limits = row[tier];
    return (
      limits !== undefined &&
      limits !== null &&
      limits.requestsPerMinute === rpm &&
      limits.tokensPerMinute === tpm
    );
  });
}

const usd = (amount: number): string => `$${amount.toLocaleString('en-US')}`;

/**
 * The plan line for a model the account's tier cannot reach: only what the hint cannot know (the
 * tier to reach from the tier the headers showed, the amount still to pay, the days to wait); the
 * hint's steps already say how to pay, what to check and when to contact support.
 */
function planFor(
  model: string,
  detected: Tier | undefined,
  text: DoctorText,
): { plan?: string; titleSuffix?: string } {
  const requirement = requiredTier(model);
  if (requirement.tier === undefined) return {};
  if (detected !== undefined && TIERS.indexOf(detected) >= TIERS.indexOf(requirement.tier))
    return { titleSuffix: text.tierNotTheReason(text.tierName(detected)) };
  const needs = tierQualification(requirement.tier);
  const paid = detected === undefined ? undefined : tierQualification(detected).paidUsd;
  return {
    plan: text.plan({
      model,
      target: text.tierName(requirement.tier),
      current: detected === undefined ? undefined : text.tierName(detected),
      payUsd: paid === undefined ? undefined : usd(Math.max(0, needs.paidUsd - paid)),
      totalUsd: usd(needs.paidUsd),
      days: needs.daysSinceFirstPayment,
    }),
  };
}

/** Runs the checklist; returns its steps. Never prints, never throws for a failed check. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorStep[]> {
  const { locale, timeoutMs } = options;
  const text = DOCTOR_TEXT[locale];
  const steps: DoctorStep[] = [];
  const base = options.baseURL.replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {
    url = undefined;
  }
  const network = { host: url?.host ?? base, hostname: url?.hostname ?? base, baseURL: base, timeoutMs };

  if (options.apiKey === undefined || options.apiKey.trim() === '') {
    steps.push({ id: 'key', status: 'fail', title: text.keyMissing });
    return steps;
  }
  steps.push({ id: 'key', status: 'pass', title: text.keyPresent(maskKey(options.apiKey)) });
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
  };
  if (options.organization !== undefined) headers['openai-organization'] = options.organization;
  if (options.project !== undefined) headers['openai-project'] = options.project;

  const stop = (failed: DoctorStep, from: CheckId): DoctorStep[] => {
    steps.push(failed);
    for (const id of ORDER.slice(ORDER.indexOf(from)))
      if (id !== failed.id) steps.push({ id, status: 'skip', title: text.checkNames[id] });
    return steps;
  };
  const diagnosed = (raw: unknown, model?: string, tier?: Tier): Diagnosis =>
    diagnose(raw, {
      locale,
      baseURL: base,
      ...(options.provider === undefined ? {} : { provider: options.provider }),
      ...(model === undefined ? {} : { model }),
      ...(tier === undefined ? {} : { tier }),
    });
  const networkStep = (
    answer: Extract<Answer, { kind: 'network' }>,
    id: CheckId,
    model?: string,
  ): DoctorStep => {
    const context: NetworkContext = { ...network, failure: answer.failure };
    const help = networkHint(context, locale);
    return {
      id,
      status: 'fail',
      title: id === 'model' && model !== undefined ? text.modelFail(model) : help.title,
      ...(model === undefined ? {} : { model }),
      network: answer.failure,
      diagnosis: diagnosed(answer.raw, model),
      help,
    };
  };
  /** The step for a refusal that ends the checklist; undefined when the checklist can go on. */
  const refusal = (diagnosis: Diagnosis): DoctorStep | undefined => {
    const common = { status: 'fail', diagnosis, help: diagnosis.hint } as const;
    if (diagnosis.cause === 'region_unsupported') return { id: 'region', title: text.regionFail, ...common };
    if (
      diagnosis.cause === 'invalid_api_key' ||
      (diagnosis.status === 401 && !KEY_CAUSES.has(diagnosis.cause))
    )
      return { id: 'auth', title: text.authFail, ...common };
    if (KEY_CAUSES.has(diagnosis.cause))
      return { id: 'auth', title: text.authRefused(diagnosis.hint.title), ...common };
    if (BILLING_CAUSES.has(diagnosis.cause)) return { id: 'billing', title: text.billingFail, ...common };
    return undefined;
  };

  // 1. The network, and the key (GET /models).
  const listed = await send(`${base}/models`, { headers }, timeoutMs);
  if (listed.kind === 'network') return stop(networkStep(listed, 'network'), 'auth');
  if (listed.kind === 'refused') {
    const diagnosis = diagnosed({ status: listed.status, body: listed.body, headers: listed.headers });
    const ended = refusal(diagnosis);
    if (ended !== undefined) return stop(ended, 'auth');
    // A restricted key without models.read, or a relay without /models: the calls below still tell.
    steps.push({ id: 'auth', status: 'warn', title: text.modelsUnlisted(diagnosis.hint.title), diagnosis });
  } else {
    let count = 0;
    try {
      const parsed = JSON.parse(listed.body) as { data?: unknown[] };
      if (Array.isArray(parsed.data)) count = parsed.data.length;
    } catch {
      // A relay may answer /models with something else; the key was accepted all the same.
    }
    steps.push({ id: 'auth', status: 'pass', title: text.authOk(count) });
  }

  // 2. Billing and credit: one minimal call to the first model wanted (the cheapest by default).
  const wanted = options.models.length > 0 ? [...new Set(options.models)] : ['gpt-4o-mini'];
  const answers = new Map<string, Answer>();
  for (const model of wanted) {
    const { path, body } = minimalCall(model);
    const answer = await send(
      `${base}${path}`,
      { method: 'POST', headers, body: JSON.stringify(body) },
      timeoutMs,
    );
    answers.set(model, answer);
    if (answers.size > 1) continue;
    if (answer.kind === 'network') return stop(networkStep(answer, 'network', model), 'billing');
    if (answer.kind === 'refused') {
      const ended = refusal(
        diagnosed({ status: answer.status, body: answer.body, headers: answer.headers }, model),
      );
      if (ended !== undefined) return stop(ended, 'billing');
    }
  }

  // The tier the headers of the answers that served match: the hints and the plan start from it.
  let detected: Tier | undefined;
  for (const [model, answer] of answers) {
    if (answer.kind !== 'ok' || detected !== undefined) continue;
    const said = readRateLimitHeaders(answer.headers);
    detected = matchTier(model, said.requests.limit, said.tokens.limit);
  }

  const served = [...answers].find(([, answer]) => answer.kind === 'ok')?.[0];
  steps.push(
    served === undefined
      ? { id: 'billing', status: 'warn', title: text.billingFail }
      : { id: 'billing', status: 'pass', title: text.billingOk(served) },
  );

  // 3. Each model.
  for (const [model, answer] of answers) {
    if (answer.kind === 'ok') {
      steps.push({ id: 'model', status: 'pass', title: text.modelOk(model), model });
      continue;
    }
    if (answer.kind === 'network') {
      steps.push(networkStep(answer, 'model', model));
      continue;
    }
    const diagnosis = diagnosed(
      { status: answer.status, body: answer.body, headers: answer.headers },
      model,
      detected,
    );
    const { plan, titleSuffix } =
      // OpenAI's tiers only: a relay's or Azure's access has nothing to do with them.
      diagnosis.cause === 'model_access_denied' && (diagnosis.provider ?? 'openai') === 'openai'
        ? planFor(model, detected, text)
        : {};
    steps.push({
      id: 'model',
      status: 'fail',
      title: `${text.modelFail(model)}${titleSuffix ?? ''}`,
      model,
      diagnosis,
      help: diagnosis.hint,
      ...(plan === undefined ? {} : { plan }),
    });
  }

  // 4. Region and network: the API answered, and did not refuse the region.
  steps.push({ id: 'region', status: 'pass', title: text.regionOk(network.host) });

  // 5. Limits, read back from the headers of the answers.
  for (const [model, answer] of answers) {
    if (answer.kind === 'network') continue;
    const said = readRateLimitHeaders(answer.headers);
    const rpm = said.requests.limit;
    const tpm = said.tokens.limit;
    if (rpm === undefined && tpm === undefined) {
      if (answer.kind === 'ok')
        steps.push({ id: 'limits', status: 'warn', title: text.noHeaders(model), model });
      continue;
    }
    const tier = matchTier(model, rpm, tpm);
    steps.push({
      id: 'limits',
      status: 'pass',
      title: text.limits(
        model,
        rpm?.toLocaleString('en-US') ?? '?',
        tpm?.toLocaleString('en-US') ?? '?',
        tier === undefined ? '' : text.matches(text.tierName(tier)),
      ),
      model,
    });
  }
  return steps;
}

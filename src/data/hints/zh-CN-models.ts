/**
 * 关于模型的中文提示：账户不能使用的模型（原因是不是等级，还是别的环节拒绝了它），以及端点不认识的模型
 * （拼写错误、已删除的微调、Azure 部署、中转站的 ID、已下线的模型）。
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
} from './zh-CN-parts.js';
import { pageLink } from './links.js';
import type { Hint } from '../types.js';
import type { HintContext } from './types.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'zh-CN');
const present = (...steps: (string | undefined)[]): string[] =>
  steps.filter((step): step is string => step !== undefined);

/** 模型访问被拒：是谁拒绝的，等级是不是原因。 */
export function accessHint(c: HintContext): Hint {
  const model = theModel(c);
  const renamed = renamedSentence(c);
  const fallBack = '在此之前，可以回退到其他模型或端点（回退链会逐个调用自动处理）。';
  if (c.provider === 'azure' || c.provider === 'other') {
    const azure = c.provider === 'azure';
    return {
      title: `${azure ? 'Azure OpenAI' : '该端点'}不允许这个密钥调用 ${model}`,
      why: azure
        ? `Azure OpenAI 资源不允许这个密钥调用 ${model}。Azure 提供的是部署：OpenAI 的使用等级不适用。`
        : `base URL 指向的中转站或网关不允许这个密钥调用 ${model}：它的套餐、渠道或模型列表里没有这个模型。OpenAI 的使用等级不适用于它。`,
      steps: present(
        renamed,
        azure
          ? '在 Azure 门户中打开该资源 → 部署（Deployments）：调用时使用部署名称（而不是模型名称），并配合该资源的密钥和终结点。'
          : '打开中转站的控制台：这个模型可能需要先启用、购买套餐，或在对应服务商处有余额。',
        '用同一个密钥和 base URL 调用 GET /v1/models，可以看到这个端点提供哪些模型。',
        fallBack,
      ),
      links: azure ? [link('azureDeployments')] : [link('models')],
    };
  }
  if (/\bproject\b/i.test(c.message)) {
    return {
      title: `项目不允许使用 ${model}`,
      why: `项目${c.project === undefined ? '' : ` ${c.format.code(c.project)}`} 限制了可调用的模型，其中不包括 ${model}。原因不在使用等级。`,
      steps: present(
        renamed,
        '打开项目设置（Projects）→ 该项目 → Limits，把该模型加入允许的模型列表（或使用没有此限制的项目的密钥）。',
        '或者改用项目允许的模型。',
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
        ? `API 表示 ${model} 需要 ${c.format.tier(s.needed)}，而账户已是 ${tier}`
        : `你的等级可以使用 ${model}：原因在别处`,
      why: s.named
        ? `API 仍把这个组织算作低于 ${c.format.tier(s.needed)}。等级变更可能需要几个小时才能覆盖所有模型，或者这个密钥属于另一个组织（按那个组织的等级计算）。`
        : `${model} 需要 ${c.format.tier(s.needed)}，而账户已是 ${tier}：API 拒绝它并不是因为使用等级。`,
      steps: s.named
        ? present(
            renamed,
            `打开限额页面（Limits），确认这个密钥所属组织的“Usage tier”显示为 ${tier}（其他组织的密钥按那个组织的等级计算）。`,
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
      title: `${model} 需要 ${c.format.tier(s.needed)}，而账户目前是 ${account}`,
      why: `${s.named ? 'API 指明了所需的等级：' : `${model} 至少需要 `}${c.format.tier(s.needed)}（${reach(c, s.qualification)}）。${account} 暂时无法使用它；付款并不会一次解锁所有模型。`,
      steps: present(
        renamed,
        ...reachSteps(c, s.qualification),
        `在此之前，可以回退到 ${account} 能使用的模型（限额页面会列出），或其他端点。`,
      ),
      links: [link('limits'), link('billing'), link('models')],
    };
  }
  if (s !== undefined) {
    const needed = c.format.tier(s.needed);
    const notOn =
      c.requirement !== undefined && c.requirement.notSupportedOn.length > 0
        ? `${c.requirement.notSupportedOn.map((tier) => c.format.tier(tier)).join('、')}无法使用它。`
        : '';
    const below = TIERS.indexOf(s.needed) > 0;
    return {
      title: `当前账户或项目无法使用 ${model}`,
      why: `${model} 确实存在，但这个账户目前无法使用它。${s.named ? `API 指明了所需的等级：${needed}` : `它至少需要 ${needed}`}（${reach(c, s.qualification)}）。${notOn}如果账户已经是 ${needed} 或更高，原因就不在等级。`,
      steps: present(
        renamed,
        '打开限额页面（Limits），查看“Usage tier”。',
        below ? `低于 ${needed} 时：${reachSteps(c, s.qualification).join('')}` : undefined,
        `已是 ${needed} 或更高时：${accessSuspects(c).join('')}`,
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
    title: `当前账户或项目无法使用 ${model}`,
    why: `${model} 确实存在，但这个账户目前无法使用它。tierguard 没有它公开的等级表：请打开限额页面（Limits）查看你的等级是否包含它。`,
    steps: present(
      renamed,
      '打开限额页面（Limits）：那里列出了你的等级能使用的模型。',
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

/** 端点不认识的模型：拼写错误、已删除的微调、Azure 部署、中转站的模型 ID、已下线的模型。 */
export function notFoundHint(c: HintContext): Hint {
  const model = theModel(c);
  const renamed = renamedSentence(c);
  switch (c.modelSort) {
    case 'deployment':
      return {
        title: `Azure 部署${c.model === undefined ? '' : ` ${model} `}不存在`,
        why: 'Azure OpenAI 资源上没有这个名称的部署（几分钟内刚创建的部署可能还没就绪）。Azure 调用的是部署而不是模型：使用等级不适用。',
        steps: present(
          renamed,
          '在 Azure 门户（或 Azure AI Foundry）中打开该资源 → 部署（Deployments），准确复制部署名称；把它作为 AzureOpenAI 的 `deployment`（或作为 model）传入。',
          '确认终结点属于这个资源（https://<resource>.openai.azure.com），并且 api-version 支持该模型。',
          '如果部署刚刚创建，等几分钟再重试。',
        ),
        links: [link('azureDeployments'), link('azureApiVersions')],
      };
    case 'fine-tune':
      return {
        title: `这个密钥无法使用微调模型 ${model}`,
        why: `微调模型属于训练它的组织和项目。这个模型已被删除、属于其他组织${c.fineTune?.organization === undefined ? '' : `（名称显示为 ${c.format.code(c.fineTune.organization)}）`}或项目，或者名称拼写有误（最后一个冒号后的 ID 必须完全一致）。使用等级不限制微调模型。`,
        steps: present(
          renamed,
          '打开微调控制台（或调用 GET /v1/fine_tuning/jobs，查看 fine_tuned_model 字段），准确复制模型名称。',
          '使用创建它的组织和项目的密钥；如果 OPENAI_ORG_ID、OPENAI_PROJECT_ID 指向别处，请取消设置。',
          c.fineTune === undefined
            ? '如果已被删除，重新训练，或回退到它的基础模型。'
            : `如果已被删除，重新训练，或回退到它的基础模型 ${c.format.code(c.fineTune.base)}。`,
        ),
        links: [link('fineTuning'), link('models')],
      };
    case 'relay':
      return {
        title: `该端点不提供 ${model}`,
        why: `${model} 是中转站的“厂商/模型”格式 ID${c.vendor === undefined ? '' : `（厂商 ${c.format.code(c.vendor)}）`}：base URL 指向的中转站或网关没有向这个密钥提供它，或者拼写不同。OpenAI 的使用等级不适用于它的模型目录。`,
        steps: present(
          renamed,
          '查看该端点提供的模型（用同一个密钥和 base URL 调用 GET /v1/models），连同厂商前缀一起准确复制 ID。',
          '打开中转站的控制台：这个模型可能需要先启用、购买套餐，或在对应服务商处有余额。',
          '回退到中转站提供的其他模型。',
        ),
        links: [link('models')],
      };
    case 'retired':
      return {
        title: `模型 ${model} 已${c.retiredOn === undefined ? '' : `于 ${c.retiredOn} `}下线`,
        why: `OpenAI ${c.retiredOn === undefined ? '已' : `已于 ${c.retiredOn} `}停用 ${model}，此后 API 对它一律返回 404。${c.successor === undefined ? '' : `OpenAI 推荐的替代模型是 ${c.format.code(c.successor)}。`}`,
        steps: present(
          renamed,
          c.successor === undefined
            ? '改用当前的模型（弃用页面写明了替代模型）。'
            : `改用 ${c.format.code(c.successor)}，并先用它测试你的提示词。`,
          '在弃用页面查看代码里用到的其他模型及其下线日期。',
          '保留一条回退链，这样模型下线时调用会降级而不是直接失败。',
        ),
        links: [link('deprecations'), link('models')],
      };
    default:
      if (c.provider === 'other')
        return {
          title: c.model === undefined ? '该端点没有这个模型' : `该端点不提供 ${model}`,
          why: `该端点没有名为 ${model} 的模型：OpenAI 之外的服务商、网关或服务器有自己的模型列表（或已不再提供这个模型），或者名称拼写有误。`,
          steps: present(
            renamed,
            '用同一个密钥和 base URL 调用 GET /v1/models，查看该端点实际提供哪些模型，并准确复制模型 ID。',
            '查看该端点自己的模型列表或控制台：模型可能需要先拉取（Ollama）、加入代理的模型列表（LiteLLM）、创建专用端点（Together），或在下线后换用替代模型。',
            '回退到该端点提供的其他模型。',
          ),
          links: [],
        };
      return {
        title: c.model === undefined ? '模型或部署不存在' : `模型 ${model} 不存在`,
        why: `API 中没有名为 ${model} 的模型：名称拼写有误、属于其他服务商，或者 base URL 指向的服务器没有这个模型。`,
        steps: present(
          renamed,
          '对照模型列表检查模型名称是否完全一致（区分大小写；带日期的快照以 -YYYY-MM-DD 结尾）。',
          '用同一个密钥和 base URL 调用 GET /v1/models，查看该端点实际提供哪些模型。',
          '在 Azure 上要使用部署名称（而不是模型名称），并确认该部署存在。',
          residencySentence(c),
        ),
        links: [link('models'), link('limits'), ...(c.region === undefined ? [] : [link('residency')])],
      };
  }
}

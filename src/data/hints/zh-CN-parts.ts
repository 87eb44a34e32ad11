/**
 * 中文提示共用的句子：等待时间与限额的说法、达到某个等级需要什么、更高等级能给什么、节奏控制与重试做了什么、
 * 模型被拒时除了等级还可能是谁的原因，以及 guard 最终诊断的首尾（重试如何结束、x-should-retry 的决定）。
 */
import { TIER_CHANGE_DELAY, type TierQualification } from '../tiers.js';
import type { HintContext, HintFrame } from './types.js';

export const theModel = (c: HintContext): string =>
  c.model === undefined ? '该模型' : c.format.code(c.model);

export const waitSentence = (c: HintContext): string =>
  c.waitMs === undefined
    ? 'API 没有给出需要等待多久。'
    : `API 要求等待 ${c.format.wait(c.waitMs)}${c.waitSource === undefined ? '' : `（来自${c.waitSource === 'the message' ? '错误信息' : ` ${c.waitSource} 响应头`}）`}。`;

export const limitSentence = (c: HintContext): string => {
  const limit = c.limit;
  if (limit === undefined) return '';
  const unit = limit.kind === 'tokens' ? ' tokens' : ' 次请求';
  const per = limit.window === 'day' ? '每天' : '每分钟';
  const parts = [
    limit.limit === undefined ? undefined : `${per}上限 ${c.format.number(limit.limit)}${unit}`,
    limit.used === undefined ? undefined : `已用 ${c.format.number(limit.used)}`,
    limit.requested === undefined ? undefined : `本次请求 ${c.format.number(limit.requested)}`,
    limit.remaining === undefined ? undefined : `剩余 ${c.format.number(limit.remaining)}`,
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? '' : `（${parts.join('，')}）`;
};

export const reach = (c: HintContext, q: TierQualification): string =>
  q.paidUsd === 0
    ? '所有账户都可用'
    : `累计付款至少 ${c.format.usd(q.paidUsd)}${q.daysSinceFirstPayment > 0 ? `，且距首次成功付款满 ${q.daysSinceFirstPayment} 天` : ' '}即可达到`;

export const TIER_DELAY = `等级变更后，新的限额可能需要 ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} 小时才生效，并不是付款后立即生效`;

const limitUnit = (c: HintContext): string => {
  if (/\(IPM\)|\bimages per min/i.test(c.message)) return '张图片/分钟';
  const unit = c.limit?.kind === 'tokens' ? ' tokens' : ' 次请求';
  return `${unit}/${c.limit?.window === 'day' ? '天' : '分钟'}`;
};

/** 更高等级能给多少：“Tier 2 可把 `gpt-4o` 的限额提升到 450,000 tokens/分钟（……）”。 */
export const higherTierSentence = (c: HintContext): string | undefined => {
  const higher = c.higherTier;
  if (higher === undefined) return undefined;
  const tier = c.format.tier(higher.tier);
  const how = reach(c, higher.qualification);
  if (higher.limit === undefined)
    return `${tier} 对 ${theModel(c)} 没有公布每日请求上限（${how}）；${TIER_DELAY}。`;
  if (c.cause === 'request_too_large')
    return `${tier} 给 ${theModel(c)} 的限额是 ${c.format.number(higher.limit)}${limitUnit(c)}，足够容纳这个请求（${how}）；${TIER_DELAY}。`;
  return `${tier} 可把 ${theModel(c)} 的限额提升到 ${c.format.number(higher.limit)}${limitUnit(c)}（${how}）；${TIER_DELAY}。`;
};

/** 没有更高等级能提高限额时，更多的额度从哪里来：账户、Azure 或中转站。 */
export const moreRoomSentence = (c: HintContext): string => {
  if (c.provider === 'azure')
    return '这个限额是该部署的配额（TPM，RPM 按比例随之而定）：在 Azure 门户的“配额（Quotas）”中调高该部署的 TPM，或为该区域申请更多配额（aka.ms/oai/quotaincrease）。OpenAI 的使用等级不适用于 Azure。';
  if (c.provider === 'other')
    return '这个端点是中转站或网关，有它自己的限额：请查看它的套餐或控制台。OpenAI 的使用等级不适用于它。';
  if (c.tier === 'tier-5')
    return 'Tier 5 已是最高的使用等级：把可以等待的任务交给 Batch API，把负载在时间上摊开，或通过 help.openai.com 向 OpenAI 申请更高的限额。';
  if (c.tier !== undefined)
    return `比 ${c.format.tier(c.tier)} 更高的等级都没有为 ${theModel(c)} 公布比当前更大的这项限额：请把负载摊开，把可以等待的任务交给 Batch API，或回退到限额更高的模型。`;
  return '打开限额页面（Limits）查看当前等级及其限额；等级越高限额越高。';
};

/** 账户等级公布的限额比 API 报告的更大：项目另设了限额，或等级变更尚未生效。 */
export const tierLimitSentence = (c: HintContext): string | undefined =>
  c.tierLimit === undefined || c.limit?.limit === undefined
    ? undefined
    : `${c.format.tier(c.tierLimit.tier)} 为 ${theModel(c)} 公布的限额是 ${c.format.number(c.tierLimit.limit)}${limitUnit(c)}，高于 API 报告的 ${c.format.number(c.limit.limit)}：可能是项目自己设置了更低的速率限制（项目设置 → 该项目 → Limits），或者新的等级尚未生效（${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} 小时）。`;

/** 说明 tierguard 会重试的步骤；服务器返回 `x-should-retry: false` 时改为说明不重试。 */
export const retried = (c: HintContext, step: string): string => {
  if (c.retryHeader === false)
    return '服务器返回了 x-should-retry: false，表示不要重试这个请求，因此 tierguard 不会重试；请回退到其他模型或端点，或稍后自行重试。';
  // guard 已经放弃（第一步说明了原因）：剩下的只有稍后再调用。
  if (c.retries?.stoppedBy !== undefined)
    return `稍后再调用仍可能成功${c.waitMs === undefined ? '' : `（等 API 要求的 ${c.format.wait(c.waitMs)} 过去之后）`}：请稍后重试，或回退到其他模型或端点。`;
  return step;
};

/** tierguard 的重试会怎么处理这次等待（src/guard/retry.ts 默认：最多 3 次，等待上限 60 秒）。 */
export const retryStep = (c: HintContext): string =>
  c.retryHeader === false || c.retries?.stoppedBy !== undefined
    ? retried(c, '')
    : c.waitMs !== undefined && c.waitMs > 60_000
      ? '这次要求的等待超过了 tierguard 的重试上限（retry.maxDelayMs，默认 60 秒），因此会直接失败而不是一直挂起调用；请回退到其他模型，或稍后再试。'
      : '等待指定时间后重试：tierguard 会自动这样做（默认最多 3 次），并让调用重新排队、服从节奏控制。';

/** tierguard 的节奏控制能否避免这次 429（DESIGN.md「Limits」）。 */
export const pacingSentence = (c: HintContext): string => {
  if (c.limit?.window === 'day')
    return '节奏控制无法扩大每日限额：收到这次 429 之后，tierguard 会暂缓发往该模型的调用，直到窗口释放，而不是继续撞上拒绝；真正恢复服务要靠回退模型或更高的限额。';
  const bucket = c.limit?.kind === 'tokens' ? '预估 token 数能放进 TPM 桶' : '请求数能放进 RPM 桶';
  const scope = c.provider === 'azure' ? '部署' : '组织';
  return `tierguard 的节奏控制可以避免这种 429：它会让每个调用等到${bucket}（限额从 x-ratelimit-* 响应头学习得来）再发送，调用只是排队而不会被拒——前提是共用这个${scope}的所有进程都经过 tierguard（多进程请使用 Redis 存储；同一${scope}下其他应用的用量仍然会计入）。`;
};

/** 等级变更需要时间才会反映到限额；何时联系支持。 */
export const pendingTierStep = (): string =>
  `${TIER_DELAY}。超过 ${TIER_CHANGE_DELAY.contactSupportAfterHours} 小时仍无变化，请通过 help.openai.com 联系支持。`;

/** 达到某个等级的步骤：付款、等待、检查、留出生效时间、再联系支持。 */
export const reachSteps = (c: HintContext, q: TierQualification): string[] => [
  `按 ${c.format.tier(q.tier)} 所需金额一次性付清（累计付款至少 ${c.format.usd(q.paidUsd)}，不要分多次小额充值），并记下首次成功付款的日期${q.daysSinceFirstPayment > 0 ? `：${q.daysSinceFirstPayment} 天的等待期从这一天开始计算` : ''}。`,
  `然后查看限额页面（Limits，清除缓存后刷新）；社区经验是再小额充值一次往往能触发重新计算（官方未说明）。${pendingTierStep()}`,
];

/** 等级允许使用该模型时，还可能是谁拒绝了它。 */
export const accessSuspects = (c: HintContext): string[] => [
  `打开项目设置（Projects）→ 该密钥所属项目 → Limits，确认 ${theModel(c)} 在项目允许的模型列表中。`,
  c.requirement?.verification?.access === true
    ? `${theModel(c)} 需要先完成组织验证：组织设置 → Verify Organization（验证后最多 15 分钟生效）。`
    : '检查组织设置：有些模型需要先完成组织验证（Verify Organization）。',
  '如果使用的是受限密钥，打开 API 密钥页面，为它授予调用模型的权限（或改用同一项目下不受限的密钥）。',
  '检查 base URL 和组织：中间的中转站、代理或 Azure 端点有自己的模型列表；其他组织的密钥则按那个组织的等级计算（用同一个密钥和 base URL 调用 GET /v1/models，可以看到你能调用哪些模型）。',
];

/** 数据驻留主机的说明：可用的模型与密钥。 */
export const residencySentence = (c: HintContext): string | undefined =>
  c.region === undefined
    ? undefined
    : `这次调用发往 ${c.endpointHost ?? '区域主机'}（数据驻留，区域 ${c.region}）：区域端点只提供符合条件的模型和接口，并且需要为该区域设置的项目的密钥；详见数据驻留的帮助文章。`;

/** 错误中提到的模型与本次调用请求的模型不同。 */
export const renamedSentence = (c: HintContext): string | undefined =>
  c.requestedModel === undefined || c.model === undefined
    ? undefined
    : `本次调用请求的是 ${c.format.code(c.requestedModel)}，但错误中提到的是 ${theModel(c)}：中间环节改了名字（中转站的模型映射、部署别名、封装库的默认模型），或者这个错误属于另一次调用。请在设置模型名的地方修正它。`;

/** guard 最终诊断的首尾。 */
export const FRAME_ZH_CN: HintFrame = {
  retries: (c, r) => {
    if (r.attempts === 0) return 'tierguard 在发送前拒绝了这次调用：没有任何请求到达 API。';
    const times =
      r.attempts === 1 ? '只发送了 1 次' : `在 ${c.format.wait(r.elapsedMs)} 内共发送了 ${r.attempts} 次`;
    const sent = `tierguard 对这次调用${times}`;
    switch (r.stoppedBy) {
      case 'attempts':
        return `${sent}，随后停止：已达到 retry.maxAttempts。`;
      case 'elapsed':
        return `${sent}，随后停止：距第一次尝试已超过 retry.maxElapsedMs。`;
      case 'delay-cap':
        return `${sent}，随后停止：API 要求等待${c.waitMs === undefined ? '更久' : ` ${c.format.wait(c.waitMs)}`}，超过了 retry.maxDelayMs 允许的上限，因此直接失败而不是一直等待。`;
      case 'body':
        return `${sent}，随后停止：请求体是一个流，无法再次发送。`;
      default:
        return `${sent}：最后遇到的错误不是重试能解决的。`;
    }
  },
  retryHeader: () =>
    '服务器返回了 x-should-retry: true，表示重试这个请求可能成功，因此 tierguard 会重试（次数有限）。',
};

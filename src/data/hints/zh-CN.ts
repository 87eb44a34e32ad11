/**
 * 简体中文提示：与英文提示事实相同，按中国开发者的习惯书写（field-guides.md 中常见误区也在这里提醒）。
 */
import type { Cause } from '../causes.js';
import {
  TIER_CHANGE_DELAY,
  TIER_QUALIFICATIONS,
  VERIFICATION_PROPAGATION_MINUTES,
  type TierQualification,
} from '../tiers.js';
import { pageLink } from './links.js';
import type { HintContext, HintTemplate } from './types.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'zh-CN');

const theModel = (c: HintContext): string => (c.model === undefined ? '该模型' : c.format.code(c.model));

const waitSentence = (c: HintContext): string =>
  c.waitMs === undefined
    ? 'API 没有给出需要等待多久。'
    : `API 要求等待 ${c.format.wait(c.waitMs)}${c.waitSource === undefined ? '' : `（来自${c.waitSource === 'the message' ? '错误信息' : ` ${c.waitSource} 响应头`}）`}。`;

const limitSentence = (c: HintContext): string => {
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

const reach = (c: HintContext, q: TierQualification): string =>
  q.paidUsd === 0
    ? '所有账户都可用'
    : `累计付款至少 ${c.format.usd(q.paidUsd)}${q.daysSinceFirstPayment > 0 ? `，且距首次成功付款满 ${q.daysSinceFirstPayment} 天` : ' '}即可达到`;

const TIER_DELAY = `等级变更后，新的限额可能需要 ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} 小时才生效，并不是付款后立即生效`;

const limitUnit = (c: HintContext): string => {
  if (/\(IPM\)|\bimages per min/i.test(c.message)) return '张图片/分钟';
  const unit = c.limit?.kind === 'tokens' ? ' tokens' : ' 次请求';
  return `${unit}/${c.limit?.window === 'day' ? '天' : '分钟'}`;
};

/** 更高等级能给多少：“Tier 2 可把 `gpt-4o` 提升到 450,000 tokens/分钟（……）”。 */
const higherTierSentence = (c: HintContext): string | undefined => {
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

/** tierguard 的重试会怎么处理这次等待（src/guard/retry.ts 默认：最多 3 次，等待上限 60 秒）。 */
const retryStep = (c: HintContext): string =>
  c.waitMs !== undefined && c.waitMs > 60_000
    ? '这次要求的等待超过了 tierguard 的重试上限（retry.maxDelayMs，默认 60 秒），因此会直接失败而不是一直挂起调用；请回退到其他模型，或稍后再试。'
    : '等待指定时间后重试：tierguard 会自动这样做（默认最多 3 次），并让调用重新排队、服从节奏控制。';

/** tierguard 的节奏控制能否避免这次 429（DESIGN.md「Limits」）。 */
const pacingSentence = (c: HintContext): string => {
  if (c.limit?.window === 'day')
    return '节奏控制无法扩大每日限额：收到这次 429 之后，tierguard 会暂缓发往该模型的调用，直到窗口释放，而不是继续撞上拒绝；真正恢复服务要靠回退模型或提升等级。';
  const bucket = c.limit?.kind === 'tokens' ? '预估 token 数能放进 TPM 桶' : '请求数能放进 RPM 桶';
  return `tierguard 的节奏控制可以避免这种 429：它会让每个调用等到${bucket}（限额从 x-ratelimit-* 响应头学习得来）再发送，调用只是排队而不会被拒——前提是共用这个组织的所有进程都经过 tierguard（多进程请使用 Redis 存储；同一组织下其他应用的用量仍然会计入）。`;
};

const tierSentence = (c: HintContext): string | undefined => {
  const requirement = c.requirement;
  if (requirement?.tier === undefined || requirement.qualification === undefined) return undefined;
  const notOn =
    requirement.notSupportedOn.length > 0
      ? `；${requirement.notSupportedOn.map((tier) => c.format.tier(tier)).join('、')}无法使用`
      : '';
  return `${theModel(c)} 至少需要 ${c.format.tier(requirement.tier)}（${reach(c, requirement.qualification)}）${notOn}。`;
};

/** 每个原因的中文提示。 */
export const HINTS_ZH_CN = {
  invalid_api_key: (c) => ({
    title: 'API 密钥未被接受',
    why:
      c.message.includes("didn't provide") || c.message.includes('did not provide')
        ? '请求没有携带 API 密钥：Authorization 头缺失或为空（当前进程是否设置了 OPENAI_API_KEY？）。'
        : `API 拒绝了${c.keyEnding === undefined ? '这个密钥' : `末尾为 ${c.keyEnding} 的密钥`}${c.status === undefined ? '' : `（${c.status}）`}：可能是输错、已被撤销、属于其他组织或项目，或者是其他服务商/中转站的密钥。`,
    steps: [
      c.keyEnding === undefined
        ? '打开 API 密钥页面，确认正在使用的密钥存在且处于启用状态（可对比末尾四位）。'
        : `打开 API 密钥页面，查找末尾为 ${c.keyEnding} 的密钥：如果列表里没有，说明它已被删除或属于其他组织。`,
      '确认进程读取的是你以为的那个密钥：打码输出 OPENAI_API_KEY，检查多余的空格或引号。',
      '如果使用中转站或 Azure，请使用该端点签发的密钥和对应的 base URL。',
      '密钥已撤销或泄露时，重新创建并全部替换；不要把密钥提交到代码仓库。',
    ],
    links: [link('apiKeys'), link('errorCodes')],
  }),
  organization_mismatch: (c) => ({
    title: '组织或项目与密钥不匹配',
    why: `请求中指定的组织或项目（${c.code === undefined ? 'OpenAI-Organization / OpenAI-Project 请求头' : c.format.code(c.code)}）与密钥不属于同一账户，或该账户尚未加入任何组织。`,
    steps: [
      '先去掉客户端里的 organization 和 project（同时取消 OPENAI_ORG_ID、OPENAI_PROJECT_ID 环境变量，SDK 会自动读取它们）再试：项目密钥本身已经绑定了项目。',
      '确实需要时，从签发该密钥的同一账户的组织设置和项目页面复制 ID。',
      '如果提示“不是任何组织的成员”，请先接受邀请或创建组织。',
    ],
    links: [link('organization'), link('projects'), link('apiKeys')],
  }),
  account_deactivated: () => ({
    title: '该密钥所属账户已被停用',
    why: 'OpenAI 停用了该密钥所属的账户或组织。在这个账户上，重试或换模型都无法解决。',
    steps: [
      '查看账户所有者的邮箱，是否收到 OpenAI 关于停用的通知。',
      '如认为是误判，通过 help.openai.com 联系 OpenAI 支持。',
      '在解决之前，只有切换到其他端点（其他账户、Azure、中转站）才能继续服务。',
    ],
    links: [link('errorCodes')],
  }),
  ip_not_allowed: (c) => ({
    title: '请求来源 IP 不在项目的 IP 白名单中',
    why: `组织或项目只允许白名单中的 IP 访问 API，而当前服务器的出口 IP 不在名单内${c.status === undefined ? '' : `（${c.status}）`}。`,
    steps: [
      '确认服务器的公网出口 IP（NAT 网关、代理都会改变它）。',
      '在组织或项目的安全设置中把它加入 IP 白名单，或者从允许的网络发起调用。',
      '频繁更换网络或地区不是解决办法，反而可能触发风控。',
    ],
    links: [link('organization'), link('projects')],
  }),
  missing_scope: (c) => ({
    title:
      c.scope === undefined
        ? '密钥或角色缺少这次调用所需的权限'
        : `密钥或角色缺少权限范围 ${c.format.code(c.scope)}`,
    why: '受限密钥和成员角色只允许访问部分接口。这次调用需要的权限，当前密钥（或你在组织、项目中的角色）没有。',
    steps: [
      `打开 API 密钥页面，编辑该密钥并授予${c.scope === undefined ? '该接口的权限' : ` ${c.format.code(c.scope)}`}（或改用不受限的密钥）。`,
      '检查你在组织中的角色（Reader、Writer、Owner）以及在项目中的角色（Member、Owner）。',
      '有些权限变更只对之后新建的密钥生效，必要时新建一个密钥。',
    ],
    links: [link('apiKeys'), link('members')],
  }),
  region_unsupported: () => ({
    title: 'API 不为请求来源的国家或地区提供服务',
    why: 'OpenAI 会拒绝来自不受支持的国家、地区的请求，判断依据是服务器的出口 IP。',
    steps: [
      '确认服务器（或其出口代理）所在地区，并对照“支持的国家和地区”列表。',
      '把服务部署到受支持的地区，或通过合规的端点访问（如 Azure OpenAI、签约的服务商）。',
      '不要频繁切换代理或地区：频繁切换会触发风控，甚至导致账户被审查；免费代理节点并不能绕过地区限制。',
    ],
    links: [link('countries')],
  }),
  model_not_found: (c) => ({
    title:
      c.code?.toLowerCase() === 'deploymentnotfound'
        ? `Azure 部署${c.model === undefined ? '' : ` ${theModel(c)} `}不存在`
        : c.model === undefined
          ? '模型或部署不存在'
          : c.successor === undefined
            ? `模型 ${theModel(c)} 不存在`
            : `模型 ${theModel(c)} 已下线`,
    why:
      c.code?.toLowerCase() === 'deploymentnotfound'
        ? 'Azure 资源上没有这个名称的部署（刚创建几分钟内的部署可能还没就绪）。'
        : c.successor === undefined
          ? `API 中没有名为 ${theModel(c)} 的模型：名称拼写有误、属于其他服务商，或者 base URL 指向的服务器没有这个模型。`
          : `API 已不再提供 ${theModel(c)}。`,
    steps: [
      c.successor === undefined
        ? '对照模型列表检查模型名称是否完全一致（区分大小写；带日期的快照以 -YYYY-MM-DD 结尾）。'
        : `改用当前的模型，例如 ${c.format.code(c.successor)}。`,
      '用同一个密钥和 base URL 调用 GET /v1/models，查看该端点实际提供哪些模型。',
      '在 Azure 上要使用部署名称（而不是模型名称），并确认该部署存在。',
      '建议先用便宜的模型跑通流程，再切换。',
    ],
    links: [link('models'), link('limits')],
  }),
  model_access_denied: (c) => {
    const tier = tierSentence(c);
    const project = c.message.toLowerCase().includes('project');
    return {
      title: `当前账户或项目无法使用 ${theModel(c)}`,
      why: project
        ? `项目${c.project === undefined ? '' : ` ${c.format.code(c.project)}`} 限制了可调用的模型，其中不包括 ${theModel(c)}。`
        : `${theModel(c)} 确实存在，但这个账户暂时无法访问。付款并不会解锁所有模型：能否访问取决于使用等级（usage tier）${tier === undefined ? '。' : `。${tier}`}`,
      steps: project
        ? ['打开项目设置，把该模型加入允许的模型列表（或使用没有此限制的项目）。', '或者改用项目允许的模型。']
        : [
            '打开限额页面（Limits），查看当前的使用等级以及包含哪些模型。',
            ...(tier === undefined ? ['在模型页面查看它需要的等级。'] : []),
            '按目标等级一次性付清所需金额（不要分多次小额充值），并记下首次成功付款的日期：等待期从这一天开始计算。',
            `等待期满后再查看 Limits（清除缓存后刷新）；新的限额可能需要 ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} 小时才生效。社区经验是再小额充值一次往往能触发重新计算（官方未说明）；超过 ${TIER_CHANGE_DELAY.contactSupportAfterHours} 小时仍未生效请联系支持。`,
            '确认模型名称完全一致，并先用便宜的模型跑通流程。',
            '在此之前，可以回退到当前等级可用的模型（例如 gpt-4o-mini）或其他端点。',
          ],
      links: [link('limits'), link('billing'), project ? link('projects') : link('models')],
    };
  },
  verification_required: (c) => ({
    title:
      c.verificationOn === 'stream'
        ? `流式调用 ${theModel(c)} 需要先完成组织验证`
        : c.verificationOn === 'reasoning.summary'
          ? '生成推理摘要需要先完成组织验证'
          : `${theModel(c)} 需要先完成组织验证`,
    why: 'OpenAI 要求对该模型或功能完成组织验证（组织内成员的身份核验）。付款或提升等级都不能替代验证。',
    steps: [
      '打开组织设置，点击 Verify Organization，按提示完成身份验证。',
      `验证完成后，权限最多需要 ${VERIFICATION_PROPAGATION_MINUTES} 分钟生效；在此之前重试仍会同样失败。`,
      c.verificationOn === 'stream'
        ? '在此之前，可以用 stream: false 调用该模型，非流式调用不需要验证。'
        : c.verificationOn === 'reasoning.summary'
          ? '在此之前，请从请求中去掉 reasoning.summary。'
          : '在此之前，请回退到不需要验证的模型。',
    ],
    links: [link('organization'), link('helpVerification')],
  }),
  insufficient_quota: (c) => ({
    title: c.code === 'credit_balance_exhausted' ? '预付余额已用完' : '账户额度已用完',
    why: 'API 拒绝调用是因为账单问题，而不是请求太快：账户已没有可用余额或额度。重试不可能成功——官方客户端仍会重试，而 tierguard 不会。',
    steps: [
      '打开账单概览（Billing）查看余额，充值（预付）或添加支付方式。',
      '如果刚刚付过款，确认付款已成功（Invoices）且银行卡已验证：“付款成功”不等于额度已开通，两者是分开的步骤。',
      '打开用量页面（Usage）查看额度被什么消耗了，并设置用量提醒，避免再次被打个措手不及。',
      '在充值之前，只有切换到其他端点（其他密钥或账户）才能继续服务。',
    ],
    links: [link('billing'), link('paymentMethods'), link('usage'), link('helpQuota')],
  }),
  spend_limit_reached: (c) => ({
    title:
      c.code === 'project_spend_limit_exceeded'
        ? '项目的消费上限已用完'
        : c.code === 'organization_usage_limit_exceeded'
          ? '组织本月的等级用量上限已用完'
          : '已达到消费上限',
    why:
      c.code === 'organization_usage_limit_exceeded'
        ? `OpenAI 按使用等级限制每月用量（${TIER_QUALIFICATIONS.rows
            .filter((row) => row.tier !== 'free')
            .map((row) => `${c.format.tier(row.tier)} ${c.format.usd(row.monthlyUsageLimitUsd)}`)
            .join('，')}）。这不是你自己设置的上限，会随等级提升。`
        : '组织或项目设置的硬性消费上限本月已用完。超额后额度不会自动恢复，要等到下个月重置或手动调高。',
    steps: [
      '打开限额页面（Limits，项目预算在项目设置中）查看上限和本月已消费金额。',
      '调高或取消上限，或等待每月重置。修改不会立即生效，超额后额度也不会自动恢复。',
      '如果是等级用量上限：提升等级即可提高；也可以联系支持申请更高的额度。',
      '把日常任务交给轻量模型（如 gpt-4o-mini），并把用量提醒设在上限之下。',
    ],
    links: [link('limits'), link('usage'), link('projects'), link('helpQuota')],
  }),
  billing_not_active: () => ({
    title: '账户的账单未激活',
    why: '账户没有有效的账单（没有支付方式、付款失败或套餐已结束）。在账单恢复之前，所有模型都会被拒绝。',
    steps: [
      '打开 账单 → 支付方式（Payment methods），添加或重新添加银行卡，并确认卡已通过验证。',
      '在 Invoices 中查看是否有失败的付款并完成支付。',
      '刚绑定银行卡后，可以先小额测试付款确认可用，然后再调用。',
      '常见误区：“付款成功了，模型就能用了”。支付方式有效、预付余额到账、模型访问权限是三件不同的事。',
    ],
    links: [link('paymentMethods'), link('billing')],
  }),
  rate_limited_requests: (c) => ({
    title: `${theModel(c)} 的${c.limit?.window === 'day' ? '每日' : '每分钟'}请求数超限`,
    why: `${c.organization === undefined ? '组织' : `组织 ${c.organization} `}触发了${c.limit?.window === 'day' ? '每日请求数（RPD）' : '每分钟请求数（RPM）'}限制${limitSentence(c)}。${waitSentence(c)}`,
    steps: [
      retryStep(c),
      pacingSentence(c),
      c.limit?.window === 'day'
        ? '每日限额恢复得很慢：今天剩余时间可回退到其他模型，或提升使用等级。'
        : '把突发请求摊开：减少并发，或在一次调用中批量处理多个输入。',
      higherTierSentence(c) ?? '打开限额页面（Limits）查看当前等级及其限额；等级越高限额越高。',
      '被拒绝的请求同样计入限额：紧密的重试循环只会让你持续被限流。',
    ],
    links: [link('limits'), link('rateLimitsGuide'), link('help429')],
  }),
  rate_limited_tokens: (c) => ({
    title: `${theModel(c)} 的${c.limit?.window === 'day' ? '每日' : '每分钟'} token 数超限`,
    why: `${c.organization === undefined ? '组织' : `组织 ${c.organization} `}触发了${c.limit?.window === 'day' ? '每日 token 数（TPD）' : '每分钟 token 数（TPM）'}限制${limitSentence(c)}。API 在收到请求时按“提示词 + max_tokens（最大可能输出）”计数。${waitSentence(c)}`,
    steps: [
      retryStep(c),
      pacingSentence(c),
      '把 max_tokens / max_output_tokens 设得接近预期输出：限额按最大值计算，而不是实际生成量。',
      '缩短提示词，或回退到 TPM 更高的模型。',
      higherTierSentence(c) ?? '打开限额页面（Limits）查看当前等级；等级越高限额越高。',
    ],
    links: [link('limits'), link('rateLimitsGuide'), link('help429')],
  }),
  request_too_large: (c) => ({
    title: `单个请求超过了 ${theModel(c)} 的 token 限额`,
    why: `这一个请求需要的 token 数就超过了每分钟限额${limitSentence(c)}。原样重试永远不会成功，所以不会重试${c.origin === 'local' ? '（tierguard 根据自己的估算，在发送前就拒绝了它）' : ''}。`,
    steps: [
      '调低 max_tokens / max_output_tokens（限额按最大输出计算），或缩短提示词。',
      '把输入拆成多个较小的请求。',
      higherTierSentence(c) ?? '或回退到 TPM 限额更大的模型，或提升使用等级。',
      '节奏控制帮不上忙：这个请求比整个桶还大。如果 tierguard 的预估已经超过限额，它会在发送前直接拒绝这类请求。',
    ],
    links: [link('limits'), link('rateLimitsGuide')],
  }),
  slow_down: (c) => ({
    title: '流量增长过快',
    why: `API 要求放慢：即使没超过限额，请求速率增长得太快也会被拒绝。${waitSentence(c)}`,
    steps: [
      '把速率降回原来的水平，保持约 15 分钟，再逐步增加（每分钟输入超过 100 万 token 时，每 15 分钟增幅不超过 50%）。',
      'tierguard 会把该模型的并发减半，并在等待后重试。',
    ],
    links: [link('errorCodes'), link('rateLimitsGuide')],
  }),
  context_length_exceeded: (c) => ({
    title: `请求超出了 ${theModel(c)} 的上下文长度`,
    why: '提示词加上请求的输出长度超过了模型能处理的上限。同样的请求会再次失败。',
    steps: [
      '删减或总结较早的消息，或减少检索的上下文。',
      '调低 max_tokens，让提示词 + 输出能放得下。',
      '或者回退到上下文更长的模型。',
    ],
    links: [link('models')],
  }),
  content_policy: (c) => ({
    title: c.code === 'invalid_prompt' ? '提示词被使用政策检查标记' : '请求被内容过滤拦截',
    why:
      c.code === 'invalid_prompt'
        ? '推理模型会按使用政策检查提示词，偶尔会误判。'
        : '安全系统（或 Azure 内容过滤）拒绝了提示词或输出。',
    steps: [
      '改写请求，去掉可能被视为违规的内容。',
      c.code === 'invalid_prompt'
        ? '有时重试一次就能通过；也可以换用非推理模型。'
        : '在 Azure 上，检查该部署的内容过滤配置。',
      '记录请求 ID 以便复查，但不要循环重试。',
    ],
    links: [c.code === 'invalid_prompt' ? link('reasoningPrompting') : link('errorCodes')],
  }),
  invalid_request: (c) => ({
    title: 'API 认为请求无效',
    why: `${c.status === undefined ? '' : `${c.status}：`}${c.message === '' ? '请求格式有误' : c.message}${c.param === undefined ? '' : `（参数 ${c.format.code(c.param)}）`}。同样的请求会再次失败。`,
    steps: [
      '按上面的错误信息和参数修正请求。',
      c.status === 404
        ? 'URL 返回 404 通常说明 base URL 或路径不对（是否以 /v1 结尾？）。'
        : '对照该接口和模型的 API 文档检查参数。',
    ],
    links: [link('errorCodes')],
  }),
  server_error: (c) => ({
    title: c.status === 409 ? '请求与另一个请求发生冲突' : 'API 服务器内部错误',
    why:
      c.status === 409
        ? 'API 返回 409 Conflict：另一个请求同时修改了同一资源。这是暂时性的，官方客户端也会重试。'
        : `服务器处理请求失败${c.status === undefined ? '（流式响应中途出错）' : `（${c.status}）`}，通常是暂时性的。`,
    steps: [
      '短暂退避后重试（tierguard 会有限次数地自动重试）。',
      '持续出现时，查看 OpenAI 服务状态，并带上请求 ID 联系支持。',
      c.requestId === undefined
        ? '保留失败请求的 x-request-id 响应头，便于联系支持。'
        : `联系支持时提供请求 ID：${c.requestId}。`,
    ],
    links: [link('status')],
  }),
  overloaded: (c) => ({
    title: 'API 服务器过载',
    why: `服务器繁忙${c.status === undefined ? '' : `（${c.status}）`}，增加额度也无济于事。${waitSentence(c)}`,
    steps: [
      '用更长的退避时间重试（tierguard 会自动这样做）。',
      '对延迟敏感的路径，回退到其他模型或端点。',
      '查看 OpenAI 服务状态页面。',
    ],
    links: [link('status')],
  }),
  timeout: (c) => ({
    title: c.status === 408 ? '服务器等待请求超时' : '请求超时',
    why:
      c.status === 408
        ? 'API（或其前面的代理）返回 408 Request Timeout：请求没能在时限内完整送达。这是暂时性的。'
        : '在客户端超时时间内没有收到响应。注意：在队列中等待的时间也计入客户端超时。',
    steps: [
      '重试（tierguard 会有限次数地自动重试）。',
      '输出较长时，使用流式响应或调大客户端超时。',
      `检查到 ${c.host ?? 'API'} 的网络路径（代理、防火墙）。`,
    ],
    links: [link('status')],
  }),
  connection_error: (c) => ({
    title: `无法连接到 ${c.host ?? 'API'}`,
    why: `连接在 API 响应之前就失败了${c.networkCode === undefined ? '' : `（${c.networkCode}）`}：可能是 DNS、连接被拒绝或重置、代理问题，或所在地区的网络无法访问 API。这不是 API 的拒绝。`,
    steps: [
      c.networkCode === 'ENOTFOUND' || c.networkCode === 'EAI_AGAIN'
        ? '主机名无法解析：检查 base URL 和 DNS。'
        : '检查 base URL 是否正确、能否从这台服务器访问（用 curl 试一下）。',
      '如需代理，请为客户端配置（fetchOptions 中的 dispatcher）。',
      '在 API 被屏蔽的地区，请使用合规端点，而不是频繁更换代理。',
    ],
    links: [link('status'), link('countries')],
  }),
  relay_error: (c) => ({
    title: '应答来自代理或中转站，而不是 API',
    why: `收到的应答${c.status === undefined ? '' : `（${c.status}）`}不是 API 的错误信息：${c.message === '' ? '响应体为空' : `“${c.message.slice(0, 160)}”`}来自 API 前面的网关、代理、CDN 或中转站${c.status !== undefined && c.status >= 520 && c.status <= 530 ? '（52x 状态码是 Cloudflare 的）' : ''}。`,
    steps: [
      '短暂退避后重试（tierguard 会有限次数地自动重试）。',
      '检查 API 前面的中转站或代理（其状态页、日志）；base URL 也可能填错了。',
      '持续失败时，回退到其他端点。',
    ],
    links: [link('status')],
  }),
  aborted: () => ({
    title: '请求已被中止',
    why: '调用方中止了请求（AbortSignal 被触发），或在发送前 guard 已关闭。不会重试。',
    steps: ['如果不是有意为之，检查是什么中止了请求（自定义超时、已关闭的客户端、进程退出）。'],
    links: [],
  }),
  budget_exhausted: () => ({
    title: 'tierguard 中设置的月度预算已用完',
    why: 'tierguard 在发送前拒绝了调用：本月的花费已达到你配置的预算（budget 选项）。',
    steps: [
      '调高 budget.monthlyUsd，或等到下个月（UTC）。',
      "或把 budget.onExhausted 设为 'fallback'（改用调用链中最便宜的模型）或 'warn'（只提醒）。",
      '与用量页面（Usage）对照：tierguard 按 API 返回的 usage 计算费用。',
    ],
    links: [link('usage')],
  }),
  queue_full: () => ({
    title: 'tierguard 队列中等待的调用过多',
    why: 'tierguard 在发送前拒绝了调用：等待中的调用数达到了 maxQueued。速率限额承受不了当前的请求量。',
    steps: [
      '减少同时发起的调用；如果可以接受更长的等待，调大 maxQueued。',
      '提升使用等级，或把部分请求回退到限额更高的模型。',
    ],
    links: [link('limits')],
  }),
  unknown: (c) => ({
    title: '无法识别的错误',
    why: `${c.status === undefined ? '' : `${c.status}：`}${c.message === '' ? '没有错误信息' : c.message}`,
    steps: [
      '对照错误码页面检查上面的状态码、错误码和信息。',
      c.requestId === undefined
        ? '保留该调用的 x-request-id，便于联系支持。'
        : `联系支持时提供请求 ID：${c.requestId}。`,
    ],
    links: [link('errorCodes'), link('status')],
  }),
} as const satisfies Record<Cause, HintTemplate>;

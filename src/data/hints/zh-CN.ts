/**
 * 简体中文提示：与英文提示事实相同、步骤一一对应，按中国开发者的习惯书写，并针对当前账户：
 * 已经达到的等级不会再让你去“升级”，Azure 和中转站使用各自的说法和页面，微调、部署、中转站、
 * 已下线的模型各有专门的说明（field-guides.md 中的常见误区也在这里提醒）。
 */
import type { Cause } from '../causes.js';
import { TIERS, TIER_QUALIFICATIONS, VERIFICATION_PROPAGATION_MINUTES } from '../tiers.js';
import { pageLink } from './links.js';
import { accessHint, notFoundHint } from './zh-CN-models.js';
import { relayErrorHint, relayOverloadedHint } from './zh-CN-relays.js';
import type { Hint } from '../types.js';
import type { HintContext, HintTemplate } from './types.js';
import {
  higherTierSentence,
  limitSentence,
  moreRoomSentence,
  pacingSentence,
  reach,
  residencySentence,
  retried,
  retryStep,
  theModel,
  tierLimitSentence,
  waitSentence,
} from './zh-CN-parts.js';

export { FRAME_ZH_CN } from './zh-CN-parts.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'zh-CN');
const present = (...steps: (string | undefined)[]): string[] =>
  steps.filter((step): step is string => step !== undefined);

/** tierguard 留下没发的调用：预计为速率限额等待的时间超过了 maxWaitMs。 */
function localWait(c: HintContext, bucket: 'tokens' | 'requests') {
  const wait = c.waitMs === undefined ? '更久' : c.format.wait(c.waitMs);
  const limit = bucket === 'tokens' ? 'TPM' : 'RPM';
  return {
    title: `${theModel(c)} 为每分钟${bucket === 'tokens' ? ' token 数' : '请求数'}限额需要等待太久`,
    why: `tierguard 没有发送这次调用：根据它的令牌桶和排在前面的调用，它预计 ${theModel(c)} 要为 ${limit} 限额等待 ${wait}，超过了你设置的 maxWaitMs。请求没有到达 API，因此不计入限额。`,
    steps: present(
      `大约 ${wait} 之后重试，或调大 maxWaitMs（不设置时，调用会在队列中排队等待）。`,
      `给 ${theModel(c)} 设置回退链（fallback: { 模型: ['gpt-4o-mini'] }，或 fallback: 'cheaper'）：预计等待过久的调用会转到链中第一个能在 maxWaitMs 内服务的模型。`,
      bucket === 'tokens'
        ? '调低 max_tokens / max_output_tokens：限额按最大可能输出计算，而不是实际生成量。'
        : '把突发请求摊开：减少并发，或在一次调用中批量处理多个输入。',
      higherTierSentence(c) ?? moreRoomSentence(c),
    ),
    links: [link('limits'), link('rateLimitsGuide')],
  };
}

/** 组织的等级用量上限：对这个账户来说，什么能提高它。 */
function usageLimitStep(c: HintContext): string {
  if (c.tier === undefined)
    return '提升等级可以提高这个上限（限额页面会显示你的等级）；也可以通过 help.openai.com 联系支持申请更高的额度。';
  const next = TIER_QUALIFICATIONS.rows[TIERS.indexOf(c.tier) + 1];
  if (next === undefined)
    return `${c.format.tier(c.tier)} 的用量上限已是各等级中最高的：请通过 help.openai.com 联系支持申请更高的额度。`;
  return `${c.format.tier(next.tier)} 可把它提升到每月 ${c.format.usd(next.monthlyUsageLimitUsd)}（${reach(c, next)}）；也可以通过 help.openai.com 联系支持申请更高的额度。`;
}

/** An Azure resource that accepts no keys (`AuthenticationTypeDisabled`, 403): only Microsoft Entra ID tokens. */
const keyAuthDisabled = (): Hint => ({
  title: '该 Azure 资源不接受 API 密钥',
  why: '这个 Azure OpenAI 资源禁用了密钥身份验证（`disableLocalAuth`）：无论发送哪个密钥，它都只接受 Microsoft Entra ID 令牌。用密钥重试不可能成功。',
  steps: [
    "改用 Microsoft Entra ID 身份验证：new AzureOpenAI({ azureADTokenProvider: getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default') })（来自 @azure/identity）；该身份需要在资源上拥有 Cognitive Services OpenAI User 角色。",
    '或者请资源管理员允许密钥身份验证（`disableLocalAuth: false`），前提是组织的策略允许。',
  ],
  links: [link('azureEntraId'), link('errorCodes')],
});

/** 每个原因的中文提示。 */
export const HINTS_ZH_CN = {
  invalid_api_key: (c) =>
    c.code?.toLowerCase() === 'authenticationtypedisabled'
      ? keyAuthDisabled()
      : {
          title: 'API 密钥未被接受',
          why:
            c.message.includes("didn't provide") || c.message.includes('did not provide')
              ? '请求没有携带 API 密钥：Authorization 头缺失或为空（当前进程是否设置了 OPENAI_API_KEY？）。'
              : c.provider === 'azure'
                ? `Azure OpenAI 拒绝了这个密钥${c.status === undefined ? '' : `（${c.status}）`}：它不是这个资源的密钥，或者已被重新生成。`
                : `${c.provider === 'other' ? '该端点' : 'API '}拒绝了${c.keyEnding === undefined ? '这个密钥' : `末尾为 ${c.keyEnding} 的密钥`}${c.status === undefined ? '' : `（${c.status}）`}：可能是输错、已被撤销、属于其他组织或项目，或者是其他服务商/中转站的密钥。`,
          steps: present(
            c.provider === 'azure'
              ? '复制这个 Azure OpenAI 资源的密钥（Azure 门户 → 该资源 → 密钥和终结点）；AzureOpenAI 会把它作为 api-key 头发往同一资源的终结点。'
              : c.keyEnding === undefined
                ? '打开 API 密钥页面，确认正在使用的密钥存在且处于启用状态（可对比末尾四位）。'
                : `打开 API 密钥页面，查找末尾为 ${c.keyEnding} 的密钥：如果列表里没有，说明它已被删除或属于其他组织。`,
            '确认进程读取的是你以为的那个密钥：打码输出 OPENAI_API_KEY，检查多余的空格或引号。',
            c.provider === 'other'
              ? 'base URL 指向中转站或网关：请使用它签发的密钥（而不是 OpenAI 的密钥）。'
              : '如果使用中转站或 Azure，请使用该端点签发的密钥和对应的 base URL。',
            residencySentence(c),
            '密钥已撤销或泄露时，重新创建并全部替换；不要把密钥提交到代码仓库。',
          ),
          links: [
            c.provider === 'azure' ? link('azureDeployments') : link('apiKeys'),
            link('errorCodes'),
            ...(c.region === undefined ? [] : [link('residency')]),
          ],
        },
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
      '不要频繁更换网络或地区：这解决不了问题，反而可能触发风控。',
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
  model_not_found: (c) => notFoundHint(c),
  model_access_denied: (c) => accessHint(c),
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
      `验证完成后，最多等 ${VERIFICATION_PROPAGATION_MINUTES} 分钟再调用：权限需要这么久才能生效，在此之前调用仍会同样失败。`,
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
    why: `${c.provider === 'other' ? '该端点' : 'API '}拒绝调用是因为账单问题，而不是请求太快：账户已没有可用余额或额度。重试不可能成功——官方客户端仍会重试，而 tierguard 不会。`,
    steps:
      c.provider === 'other'
        ? [
            'base URL 指向中转站或网关：请在它那里充值（它自己的账单页面）；这个余额不在 OpenAI 的账单页面上。',
            '在充值之前，只有切换到其他端点（其他密钥或账户）才能继续服务。',
          ]
        : [
            '打开账单概览（Billing）查看余额，充值（预付）或添加支付方式。',
            '如果刚刚付过款，确认付款已成功（Invoices）且银行卡已验证：“付款成功”不等于额度已开通，两者是分开的步骤。',
            '打开用量页面（Usage）查看额度被什么消耗了，并设置用量提醒，避免再次被打个措手不及。',
            '在充值之前，只有切换到其他端点（其他密钥或账户）才能继续服务。',
          ],
    // A relay's balance is not on OpenAI's pages.
    links:
      c.provider === 'other'
        ? []
        : [link('billing'), link('paymentMethods'), link('usage'), link('helpQuota')],
  }),
  spend_limit_reached: (c) =>
    c.code === 'organization_usage_limit_exceeded'
      ? {
          title: '组织本月的等级用量上限已用完',
          why: `OpenAI 按使用等级限制每月用量（${TIER_QUALIFICATIONS.rows
            .filter((row) => row.tier !== 'free')
            .map((row) => `${c.format.tier(row.tier)} ${c.format.usd(row.monthlyUsageLimitUsd)}`)
            .join('，')}）。这个上限由 OpenAI 设定，不是你设置的：你自己的任何设置都无法调高它。`,
          steps: [
            '打开限额页面（Limits）查看用量上限和本月用量；它随月份重置。',
            usageLimitStep(c),
            '在此之前，只有其他端点（其他账户、Azure）能继续服务；今后请把用量提醒设在上限之下。',
          ],
          links: [link('limits'), link('usage'), link('helpQuota')],
        }
      : c.code === 'project_spend_limit_exceeded'
        ? {
            title: '项目的消费上限已用完',
            why: '项目的预算（在项目上设置的硬性上限）本月已用完。组织内的其他项目不受影响。',
            steps: [
              '打开项目设置（Projects）→ 该项目 → Limits，查看它的预算和本月花费。',
              '调高或取消项目预算，或等待每月重置；修改不会立即生效。',
              '在此之前，可以改用仍有预算的其他项目的密钥；今后请把提醒设在预算之下。',
            ],
            links: [link('projects'), link('usage'), link('helpQuota')],
          }
        : c.provider === 'other'
          ? {
              title: '该端点为这个密钥设置的预算已用完',
              why: 'base URL 指向的网关在调用任何上游之前就拒绝了请求：在它那里设置的预算（针对密钥、其团队或用户，或整个代理）已经花完。在预算重置或调高之前，重试不可能成功。',
              steps: [
                '请网关的管理者调高或重置预算，或告知重置时间；OpenAI 的限额页面（Limits）上没有这个预算。',
                '在此之前，只有切换到其他端点（其他密钥或账户）才能继续服务。',
              ],
              links: [],
            }
          : {
              title: '已达到消费上限',
              why: '组织设置的硬性消费上限本月已用完。在每月重置之前，额度不会自动恢复。',
              steps: [
                '打开限额页面（Limits）查看上限和本月花费。',
                '调高或取消上限，或等待每月重置；修改不会立即生效，实际花费也可能略微超出硬性上限。',
                '在此之前，只有其他端点（其他账户、Azure）能继续服务；今后请把用量提醒设在上限之下。',
              ],
              links: [link('limits'), link('usage'), link('helpQuota')],
            },
  billing_not_active: () => ({
    title: '账户的账单未激活',
    why: '账户没有有效的账单（没有支付方式、付款失败或套餐已结束）。在账单恢复之前，所有模型都会被拒绝。',
    steps: [
      '打开 账单 → 支付方式（Payment methods），添加或重新添加银行卡，并确认卡已通过验证。',
      '在 Invoices 中查看是否有失败的付款并完成支付。',
      '刚绑定银行卡后，可以先小额测试付款确认可用，然后再调用。',
      '分别确认三件事——支付方式有效、预付余额到账、模型访问权限：常见误区是“付款成功了，模型就能用了”。',
    ],
    links: [link('paymentMethods'), link('billing')],
  }),
  rate_limited_requests: (c) =>
    c.origin === 'local'
      ? localWait(c, 'requests')
      : {
          title: `${theModel(c)} 的${c.limit?.window === 'day' ? '每日' : '每分钟'}请求数超限`,
          why: `${c.provider === 'azure' ? '该部署' : c.organization === undefined ? '组织' : `组织 ${c.organization} `}触发了${c.limit?.window === 'day' ? '每日请求数（RPD）' : '每分钟请求数（RPM）'}限制${limitSentence(c)}。${waitSentence(c)}`,
          steps: present(
            retryStep(c),
            pacingSentence(c),
            c.limit?.window === 'day'
              ? '每日限额恢复得很慢：今天剩余时间可回退到其他模型。'
              : '把突发请求摊开：减少并发，或在一次调用中批量处理多个输入。',
            tierLimitSentence(c),
            higherTierSentence(c) ?? moreRoomSentence(c),
            '不要自己再加一层紧密的重试循环：被拒绝的请求同样计入限额，只会让你持续被限流。',
          ),
          links:
            c.provider === 'azure'
              ? [link('azureQuota')]
              : [link('limits'), link('rateLimitsGuide'), link('help429')],
        },
  rate_limited_tokens: (c) =>
    c.origin === 'local'
      ? localWait(c, 'tokens')
      : {
          title: `${theModel(c)} 的${c.limit?.window === 'day' ? '每日' : '每分钟'} token 数超限`,
          why: `${c.provider === 'azure' ? '该部署' : c.organization === undefined ? '组织' : `组织 ${c.organization} `}触发了${c.limit?.window === 'day' ? '每日 token 数（TPD）' : '每分钟 token 数（TPM）'}限制${limitSentence(c)}。API 在收到请求时按“提示词 + max_tokens（最大可能输出）”计数。${waitSentence(c)}`,
          steps: present(
            retryStep(c),
            pacingSentence(c),
            '把 max_tokens / max_output_tokens 设得接近预期输出：限额按最大值计算，而不是实际生成量。',
            '缩短提示词，或回退到 TPM 更高的模型。',
            tierLimitSentence(c),
            higherTierSentence(c) ?? moreRoomSentence(c),
          ),
          links:
            c.provider === 'azure'
              ? [link('azureQuota')]
              : [link('limits'), link('rateLimitsGuide'), link('help429')],
        },
  request_too_large: (c) => ({
    title: `单个请求超过了 ${theModel(c)} 的 token 限额`,
    why: `这一个请求需要的 token 数就超过了每分钟限额${limitSentence(c)}。原样重试永远不会成功，所以不会重试${c.origin === 'local' ? '（tierguard 根据自己的估算，在发送前就拒绝了它）' : ''}。节奏控制帮不上忙：这个请求比整个桶还大。`,
    steps: [
      '调低 max_tokens / max_output_tokens（限额按最大输出计算），或缩短提示词。',
      '把输入拆成多个较小的请求。',
      higherTierSentence(c) ?? `或回退到 TPM 限额更大的模型。${moreRoomSentence(c)}`,
    ],
    links: c.provider === 'azure' ? [link('azureQuota')] : [link('limits'), link('rateLimitsGuide')],
  }),
  slow_down: (c) => ({
    title: '流量增长过快',
    why: `API 要求放慢：即使没超过限额，请求速率增长得太快也会被拒绝。${waitSentence(c)}`,
    steps: [
      '把速率降回原来的水平，保持约 15 分钟，再逐步增加（每分钟输入超过 100 万 token 时，每 15 分钟增幅不超过 50%）。',
      retried(c, '交给 tierguard 控制节奏，不要自己写重试循环：它会把该模型的并发减半，并在等待后重试。'),
    ],
    links: [link('errorCodes'), link('rateLimitsGuide')],
  }),
  resource_unavailable: (c) => ({
    title: 'Flex 处理暂时没有足够的算力处理这个请求',
    why: `${c.provider === 'other' ? `该端点返回了 ${c.status ?? 429}，其 flex 档位算力不足` : 'API 返回了 429 Resource Unavailable'}：service_tier "flex" 以更低的价格换取可用性上的让步，而 ${theModel(c)} 当前的算力不足。这不是你的速率限制，被拒绝的请求也不计费。${waitSentence(c)}`,
    steps: [
      retried(c, '按指数退避重试（tierguard 会自动这样做）：算力空出来后，flex 请求就能完成。'),
      '如果必须马上完成，把 service_tier 设为 "auto"（或去掉 service_tier），以标准价格走标准处理。',
      '给 flex 请求设置较长的超时（指南建议 15 分钟）：它们更慢，更容易超时。',
    ],
    links: c.provider === 'other' ? [] : [link('flexProcessing')],
  }),
  context_length_exceeded: (c) => {
    const facts = c.context;
    const window = facts?.window;
    const larger = facts?.larger ?? [];
    const cut =
      facts?.excess === undefined
        ? '删减或总结较早的消息，或减少检索的上下文。'
        : `至少削减 ${c.format.number(facts.excess)} 个 token：删减或总结较早的消息，或减少检索的上下文。`;
    return {
      title: `请求超出了 ${theModel(c)} 的上下文长度`,
      why: `${
        window === undefined
          ? '提示词加上请求的输出长度超过了模型能处理的上限。'
          : facts?.inputLimit === true
            ? `${theModel(c)} 最多只接受 ${c.format.number(window)} 个输入 token，与上下文窗口的大小无关${facts.requested === undefined ? '' : `；这次的提示词共计 ${c.format.number(facts.requested)} 个`}。`
            : `${theModel(c)} 的上下文窗口是 ${c.format.number(window)} 个 token${facts?.windowFromTable === true ? '（见其模型页面）' : ''}${facts?.requested === undefined ? '' : `；这个请求共计 ${c.format.number(facts.requested)} 个（提示词加 max_tokens）`}。`
      }同样的请求会再次失败。`,
      steps: present(
        cut,
        facts?.inputLimit === true
          ? undefined
          : facts?.completion === undefined
            ? '调低 max_tokens，让提示词 + 输出能放得下。'
            : `或者调低 max_tokens：它为输出预留了 ${c.format.number(facts.completion)} 个 token，这些也计入窗口。`,
        larger.length === 0
          ? '或者回退到上下文更长的模型。'
          : `或者回退到窗口放得下它的模型：${larger.map((entry) => `${c.format.code(entry.model)}（${c.format.number(entry.tokens)}）`).join('、')}。上下文长度的回退只有发往这样的模型才有用。`,
      ),
      links: [link('models')],
    };
  },
  content_policy: (c) => ({
    title: c.code === 'invalid_prompt' ? '提示词被使用政策检查标记' : '请求被内容过滤拦截',
    why:
      c.code === 'invalid_prompt'
        ? '推理模型会按使用政策检查提示词，偶尔会误判。'
        : c.provider === 'azure'
          ? 'Azure OpenAI 的内容筛选拒绝了提示词或输出（错误中列出了触发的类别）。'
          : c.provider === 'other'
            ? '该端点的内容审核（或其上游的内容过滤）拒绝了提示词或输出；错误中可能列出了触发的类别。'
            : '安全系统（或 Azure 内容过滤）拒绝了提示词或输出。',
    steps: [
      '改写请求，去掉可能被视为违规的内容。',
      c.code === 'invalid_prompt'
        ? '有时重试一次就能通过；也可以换用非推理模型。'
        : c.provider === 'other'
          ? '有的网关只对部分模型做审核（如 OpenRouter）：正当的请求可以换用该网关上的其他模型。'
          : '在 Azure 上，检查该部署的内容过滤配置。',
      '记录请求 ID 以便复查，但不要循环重试。',
    ],
    links:
      c.code === 'invalid_prompt'
        ? [link('reasoningPrompting')]
        : c.provider === 'azure'
          ? [link('azureContentFilter')]
          : c.provider === 'other'
            ? []
            : [link('errorCodes')],
  }),
  invalid_request: (c) =>
    c.code === 'data_residency_mismatch'
      ? {
          title: '请求与项目的数据驻留区域不一致',
          why: `API 拒绝了这次调用，因为它的数据驻留区域与项目的不一致${c.region === undefined ? '' : `（这次调用发往 ${c.endpointHost ?? c.region}）`}。同样的请求会再次失败。`,
          steps: [
            '把该项目的调用发往它的区域主机（https://<region>.api.openai.com/v1），或者这次调用改用没有数据驻留的项目。',
            '确认密钥属于为该区域设置的项目。',
          ],
          links: [link('residency'), link('projects')],
        }
      : {
          title: 'API 认为请求无效',
          why: `${c.status === undefined ? '' : `${c.status}：`}${c.message === '' ? '请求格式有误' : c.message}${c.param === undefined ? '' : `（参数 ${c.format.code(c.param)}）`}。同样的请求会再次失败。`,
          steps: [
            '按上面的错误信息和参数修正请求。',
            c.provider === 'azure'
              ? '在 Azure 上，404 或未知参数往往意味着 api-version 不支持该模型或功能，或者部署路径不对。'
              : c.status === 404
                ? 'URL 返回 404 通常说明 base URL 或路径不对（是否以 /v1 结尾？）。'
                : '对照该接口和模型的 API 文档检查参数。',
          ],
          links: [c.provider === 'azure' ? link('azureApiVersions') : link('errorCodes')],
        },
  server_error: (c) => ({
    title: c.status === 409 ? '请求与另一个请求发生冲突' : 'API 服务器内部错误',
    why:
      c.status === 409
        ? 'API 返回 409 Conflict：另一个请求同时修改了同一资源。这是暂时性的，官方客户端也会重试。'
        : `服务器处理请求失败${c.status === undefined ? '（流式响应中途出错）' : `（${c.status}）`}，通常是暂时性的。`,
    steps: [
      retried(c, '短暂退避后重试（tierguard 会有限次数地自动重试）。'),
      '持续出现时，查看 OpenAI 服务状态，并带上请求 ID 联系支持。',
      c.requestId === undefined
        ? '保留失败请求的 x-request-id 响应头，便于联系支持。'
        : `联系支持时提供请求 ID：${c.requestId}。`,
    ],
    links: [link('status')],
  }),
  overloaded: (c) =>
    c.provider === 'other'
      ? relayOverloadedHint(c)
      : {
          title: 'API 服务器过载',
          why: `服务器繁忙${c.status === undefined ? '' : `（${c.status}）`}，增加额度也无济于事。${waitSentence(c)}`,
          steps: [
            retried(c, '用更长的退避时间重试（tierguard 会自动这样做）。'),
            c.provider === 'azure'
              ? '对延迟敏感的路径，回退到其他区域的部署（或全局标准部署）：当前区域的算力不足。'
              : '对延迟敏感的路径，回退到其他模型或端点。',
            '查看 OpenAI 服务状态页面。',
          ],
          links: [link('status')],
        },
  timeout: (c) => ({
    title: c.status === 408 ? '服务器等待请求超时' : '请求超时',
    why:
      c.status === 408
        ? 'API（或其前面的代理）返回 408 Request Timeout：请求没能在时限内完整送达。这是暂时性的。'
        : '在客户端超时时间内没有收到响应。',
    steps: [
      retried(c, '重试（tierguard 会有限次数地自动重试）。'),
      '输出较长时，使用流式响应或调大客户端超时（flex 处理需要更长的超时）。',
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
  relay_error: relayErrorHint,
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
  queue_full: (c) => ({
    title: 'tierguard 队列中等待的调用过多',
    why: 'tierguard 在发送前拒绝了调用：等待中的调用数达到了 maxQueued。速率限额承受不了当前的请求量。',
    steps: [
      '减少同时发起的调用；如果可以接受更长的等待，调大 maxQueued。',
      c.tier === 'tier-5' || c.provider === 'azure' || c.provider === 'other'
        ? '把部分请求回退到限额更高的模型，或把可以等待的任务交给 Batch API。'
        : '把部分请求回退到限额更高的模型，或提升到更高的使用等级（限额页面会显示你的等级）。',
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

/**
 * What `doctor` says when the network failed, per way it failed and per locale: a title that
 * says nothing reached the API (so the key was not judged), why, the steps for that way, and
 * public pages.
 */
import type { Hint, HintLink, Locale } from '../diagnose/types.js';
import type { NetworkFailure, NetworkFailureKind } from './network.js';

/** What the texts need to know about the endpoint. */
export interface NetworkContext {
  /** `host[:port]` of the base URL. */
  readonly host: string;
  /** The host name alone, for DNS tools. */
  readonly hostname: string;
  readonly baseURL: string;
  readonly timeoutMs: number;
  readonly failure: NetworkFailure;
}

type Texts = Readonly<Record<NetworkFailureKind, (context: NetworkContext) => Omit<Hint, 'links'>>>;

const code = (context: NetworkContext, locale: Locale = 'en'): string =>
  context.failure.code === undefined
    ? ''
    : locale === 'zh-CN'
      ? `（${context.failure.code}）`
      : ` (${context.failure.code})`;
const proxyWho = (context: NetworkContext, locale: Locale): string => {
  const { status, page, server } = context.failure;
  const parts = [
    status === undefined ? undefined : `HTTP ${status}`,
    page === undefined ? undefined : `“${page}”`,
    server === undefined ? undefined : locale === 'zh-CN' ? `来自 ${server}` : `from ${server}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? '' : locale === 'zh-CN' ? `（${parts.join('，')}）` : ` (${parts.join(', ')})`;
};

const EN: Texts = {
  dns: (context) => ({
    title: `Cannot reach ${context.host}: the name does not resolve${code(context)}`,
    why: 'DNS found no address for the host in the base URL, so nothing was sent: the key was not checked.',
    steps: [
      `Check the base URL for a typo: ${context.baseURL} (from --base-url or OPENAI_BASE_URL).`,
      `Resolve it from this machine: nslookup ${context.hostname} (or getent hosts ${context.hostname}); if that fails too, check the DNS servers, the VPN or /etc/hosts.`,
      'In a container or a CI job, check that it is allowed outbound DNS and internet access.',
    ],
  }),
  refused: (context) => ({
    title: `Cannot reach ${context.host}: connection refused${code(context)}`,
    why: 'The machine answered, but nothing accepts connections on that port (or a firewall rejects them), so nothing was sent: the key was not checked.',
    steps: [
      `Check the scheme and port in the base URL: ${context.baseURL} (the API is https on port 443).`,
      'If the base URL is a relay or a local proxy, start it, or check the port it listens on.',
      `See where it stops from this machine: curl -v ${context.baseURL}/models`,
    ],
  }),
  reset: (context) => ({
    title: `Cannot reach ${context.host}: the connection was cut before any answer${code(context)}`,
    why: 'A connection was opened, then closed before an HTTP answer: usually a firewall, a proxy or a TLS-inspection box, or a network that blocks the API. The key was not checked.',
    steps: [
      `See where it stops from this machine: curl -v ${context.baseURL}/models`,
      'Behind a company proxy, send the client through it: Node’s fetch does not read HTTPS_PROXY by default; give the client a proxy dispatcher (undici’s ProxyAgent in fetchOptions).',
      'Where the API is blocked, use an endpoint that is allowed there (Azure OpenAI, or a relay you are allowed to use) rather than hopping proxies.',
    ],
  }),
  unreachable: (context) => ({
    title: `Cannot reach ${context.host}: no route to it${code(context)}`,
    why: 'This machine has no network path to the host (no route, network down, or a firewall that drops it). The key was not checked.',
    steps: [
      'Check that this machine has internet access (or the VPN that reaches the relay is up).',
      `See where it stops: curl -v ${context.baseURL}/models`,
      'In a container or a CI job, check that outbound traffic is allowed.',
    ],
  }),
  timeout: (context) => ({
    title: `No answer from ${context.host} within ${context.timeoutMs.toLocaleString('en-US')} ms${code(context)}`,
    why: 'The connection or its answer did not arrive in time: a firewall that drops packets, a proxy that is needed but not used, or a slow relay. The key was not checked.',
    steps: [
      'Run again with --timeout 60000 to tell a slow endpoint from a blocked one.',
      `See where it stops: curl -v --max-time 60 ${context.baseURL}/models`,
      'Behind a company proxy, send the client through it: Node’s fetch does not read HTTPS_PROXY by default; give the client a proxy dispatcher (undici’s ProxyAgent in fetchOptions).',
    ],
  }),
  tls: (context) => ({
    title: `Secure connection to ${context.host} failed${code(context)}`,
    why:
      context.failure.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || context.failure.code === 'EPROTO'
        ? 'The endpoint did not speak TLS on that port: an https:// base URL pointing at a plain-HTTP server or proxy. The key was not checked.'
        : 'The certificate the endpoint showed is not trusted here (self-signed, expired, or for another name): often a company proxy that inspects TLS with its own certificate. The key was not checked.',
    steps: [
      `Check the scheme of the base URL: ${context.baseURL} (a local relay may need http://).`,
      'Behind a TLS-inspecting proxy, give Node its certificate authority: NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem. Do not turn verification off (NODE_TLS_REJECT_UNAUTHORIZED=0) outside a test.',
      'Check the system clock: a clock far off makes valid certificates look expired.',
    ],
  }),
  blocked_port: (context) => ({
    title: `Node’s fetch will not connect to ${context.host}: the port is on the fetch standard’s blocked list`,
    why: 'fetch refuses a few ports (1, 25, 6000 and others) without trying. Nothing was sent: the key was not checked.',
    steps: [
      `Use another port in the base URL: ${context.baseURL}`,
      'If a relay listens there, move it to a usual port (443, 8080, 8443).',
    ],
  }),
  proxy: (context) => ({
    title: `A proxy or gateway answered instead of the API${proxyWho(context, 'en')}`,
    why: 'The answer was a page, not the API’s JSON: a company proxy, a captive portal, or a relay’s error page. The API never saw the request, so the key was not checked.',
    steps: [
      context.failure.status === 407
        ? 'The proxy asks for credentials (407): configure the client’s proxy with them (undici’s ProxyAgent takes a token).'
        : 'Ask whoever runs the proxy to allow the API host, or use the network path you are meant to use for it.',
      `See who answers: curl -v ${context.baseURL}/models (look at the Server and Via headers).`,
      'If the base URL is a relay, check its status page or logs, and that it forwards /v1 paths.',
    ],
  }),
  other: (context) => ({
    title: `Cannot reach ${context.host}${context.failure.detail === undefined ? '' : `: ${context.failure.detail}`}`,
    why: 'The request failed before any answer came back. The key was not checked.',
    steps: [
      `Check the base URL: ${context.baseURL}`,
      `See where it stops: curl -v ${context.baseURL}/models`,
    ],
  }),
};

const ZH: Texts = {
  dns: (context) => ({
    title: `无法连接 ${context.host}：域名无法解析${code(context, 'zh-CN')}`,
    why: 'DNS 没有为基础 URL 中的主机名返回地址，请求根本没有发出：密钥尚未经过检查。',
    steps: [
      `检查基础 URL 是否有拼写错误：${context.baseURL}（来自 --base-url 或 OPENAI_BASE_URL）。`,
      `在这台机器上解析它：nslookup ${context.hostname}（或 getent hosts ${context.hostname}）；如果同样失败，检查 DNS 服务器、VPN 或 /etc/hosts。`,
      '在容器或 CI 任务中，确认它允许对外的 DNS 和网络访问。',
    ],
  }),
  refused: (context) => ({
    title: `无法连接 ${context.host}：连接被拒绝${code(context, 'zh-CN')}`,
    why: '目标机器有响应，但该端口上没有服务接受连接（或被防火墙拒绝），请求没有发出：密钥尚未经过检查。',
    steps: [
      `检查基础 URL 的协议和端口：${context.baseURL}（官方 API 使用 https、443 端口）。`,
      '如果基础 URL 是中转站或本地代理，请先启动它，或确认它监听的端口。',
      `在这台机器上查看连接停在哪一步：curl -v ${context.baseURL}/models`,
    ],
  }),
  reset: (context) => ({
    title: `无法连接 ${context.host}：连接在收到任何响应前被断开${code(context, 'zh-CN')}`,
    why: '连接已经建立，但在 HTTP 响应之前被关闭：通常是防火墙、代理或 TLS 检查设备，或所在网络屏蔽了 API。密钥尚未经过检查。',
    steps: [
      `在这台机器上查看连接停在哪一步：curl -v ${context.baseURL}/models`,
      '在公司代理之后，需要让客户端经过代理：Node 的 fetch 默认不读取 HTTPS_PROXY，请在 fetchOptions 中为客户端提供代理 dispatcher（undici 的 ProxyAgent）。',
      '在 API 被屏蔽的地区，请使用当地允许的端点（Azure OpenAI 或允许使用的中转站），不要频繁切换代理。',
    ],
  }),
  unreachable: (context) => ({
    title: `无法连接 ${context.host}：没有通往该主机的路由${code(context, 'zh-CN')}`,
    why: '这台机器没有到该主机的网络路径（没有路由、网络断开，或防火墙丢弃了数据包）。密钥尚未经过检查。',
    steps: [
      '确认这台机器可以访问互联网（或通往中转站的 VPN 已连接）。',
      `查看连接停在哪一步：curl -v ${context.baseURL}/models`,
      '在容器或 CI 任务中，确认允许对外访问。',
    ],
  }),
  timeout: (context) => ({
    title: `${context.timeoutMs.toLocaleString('en-US')} 毫秒内没有收到 ${context.host} 的响应${code(context, 'zh-CN')}`,
    why: '连接或响应没有按时到达：防火墙丢弃了数据包、需要代理却没有使用，或中转站太慢。密钥尚未经过检查。',
    steps: [
      '使用 --timeout 60000 再运行一次，区分“慢”和“被屏蔽”。',
      `查看连接停在哪一步：curl -v --max-time 60 ${context.baseURL}/models`,
      '在公司代理之后，需要让客户端经过代理：Node 的 fetch 默认不读取 HTTPS_PROXY，请在 fetchOptions 中为客户端提供代理 dispatcher（undici 的 ProxyAgent）。',
    ],
  }),
  tls: (context) => ({
    title: `与 ${context.host} 的安全连接（TLS）失败${code(context, 'zh-CN')}`,
    why:
      context.failure.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || context.failure.code === 'EPROTO'
        ? '该端口上的服务不使用 TLS：https:// 的基础 URL 指向了普通 HTTP 服务或代理。密钥尚未经过检查。'
        : '对方出示的证书在这里不受信任（自签名、已过期或域名不符）：常见原因是公司代理用自己的证书检查 TLS 流量。密钥尚未经过检查。',
    steps: [
      `检查基础 URL 的协议：${context.baseURL}（本地中转站可能需要 http://）。`,
      '在会检查 TLS 的代理之后，把代理的根证书交给 Node：NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem。除测试外不要关闭证书校验（NODE_TLS_REJECT_UNAUTHORIZED=0）。',
      '检查系统时间：时钟偏差过大会让有效证书看起来已过期。',
    ],
  }),
  blocked_port: (context) => ({
    title: `Node 的 fetch 不会连接 ${context.host}：该端口在 fetch 标准的禁用列表中`,
    why: 'fetch 会直接拒绝少数端口（1、25、6000 等），不会尝试连接。请求没有发出：密钥尚未经过检查。',
    steps: [
      `在基础 URL 中换一个端口：${context.baseURL}`,
      '如果中转站监听在这个端口，请把它改到常用端口（443、8080、8443）。',
    ],
  }),
  proxy: (context) => ({
    title: `响应来自代理或网关，而不是 API${proxyWho(context, 'zh-CN')}`,
    why: '收到的是一个网页，而不是 API 的 JSON：公司代理、需要登录的网络（captive portal）或中转站的错误页。API 没有收到请求，所以密钥尚未经过检查。',
    steps: [
      context.failure.status === 407
        ? '代理要求身份验证（407）：为客户端的代理配置凭据（undici 的 ProxyAgent 支持 token）。'
        : '请代理的管理员放行 API 的主机，或使用规定的网络路径访问它。',
      `查看是谁在响应：curl -v ${context.baseURL}/models（看 Server 和 Via 响应头）。`,
      '如果基础 URL 是中转站，检查它的状态页或日志，以及它是否转发 /v1 路径。',
    ],
  }),
  other: (context) => ({
    title: `无法连接 ${context.host}${context.failure.detail === undefined ? '' : `：${context.failure.detail}`}`,
    why: '请求在收到任何响应之前就失败了。密钥尚未经过检查。',
    steps: [`检查基础 URL：${context.baseURL}`, `查看连接停在哪一步：curl -v ${context.baseURL}/models`],
  }),
};

const LINKS: Readonly<Record<Locale, Readonly<Record<'status' | 'countries' | 'proxies' | 'ca', HintLink>>>> =
  {
    en: {
      status: { label: 'OpenAI status', url: 'https://status.openai.com' },
      countries: {
        label: 'Supported countries and territories',
        url: 'https://platform.openai.com/docs/supported-countries',
      },
      proxies: {
        label: 'openai-node: configuring proxies',
        url: 'https://github.com/openai/openai-node#configuring-proxies',
      },
      ca: {
        label: 'Node: NODE_EXTRA_CA_CERTS',
        url: 'https://nodejs.org/api/cli.html#node_extra_ca_certsfile',
      },
    },
    'zh-CN': {
      status: { label: 'OpenAI 服务状态', url: 'https://status.openai.com' },
      countries: { label: '支持的国家和地区', url: 'https://platform.openai.com/docs/supported-countries' },
      proxies: {
        label: 'openai-node：配置代理',
        url: 'https://github.com/openai/openai-node#configuring-proxies',
      },
      ca: {
        label: 'Node：NODE_EXTRA_CA_CERTS',
        url: 'https://nodejs.org/api/cli.html#node_extra_ca_certsfile',
      },
    },
  };

const LINKS_FOR: Readonly<
  Record<NetworkFailureKind, readonly ('status' | 'countries' | 'proxies' | 'ca')[]>
> = {
  dns: ['status'],
  refused: ['status'],
  reset: ['proxies', 'countries'],
  unreachable: ['status'],
  timeout: ['proxies', 'status'],
  tls: ['ca'],
  blocked_port: [],
  proxy: ['proxies'],
  other: ['status'],
};

/** The block `doctor` prints under a network failure. */
export function networkHint(context: NetworkContext, locale: Locale): Hint {
  const texts = locale === 'zh-CN' ? ZH : EN;
  const links = LINKS[locale];
  return {
    ...texts[context.failure.kind](context),
    links: LINKS_FOR[context.failure.kind].map((name) => links[name]),
  };
}

/**
 * 中转站、代理或网关代替 API 给出的应答的中文提示：一个页面而不是 API 的错误（会重试，除非是同一请求
 * 会再次得到的客户端错误），以及中转站的上游饱和。
 */
import { isFinalClientError } from '../causes.js';
import type { Hint } from '../types.js';
import { pageLink } from './links.js';
import type { HintContext } from './types.js';
import { retried, waitSentence } from './zh-CN-parts.js';

/** 代理的客户端错误页面最常见的含义，按状态码。 */
function refusalStep(status: number): string {
  if (status === 401 || status === 407)
    return '它要求自己的凭据：中转站发给你的密钥（不是 OpenAI 的密钥），或代理的凭据（Proxy-Authorization）。';
  if (status === 403) return '它拦截了请求：IP 白名单、被封锁的地区，或防火墙（WAF）规则。';
  if (status === 404 || status === 405)
    return '该路径在那里不存在：检查 base URL（中转站的 API 地址，通常以 /v1 结尾，而不是它的网页控制台）。';
  if (status === 413) return '请求超过了它接受的大小（请求体大小限制）。';
  return '它拒绝了这个请求：原因见它的日志。';
}

/** `relay_error`：收到的是页面，而不是 API 的错误。 */
export function relayErrorHint(c: HintContext): Hint {
  const said = c.message === '' ? '响应体为空' : `“${c.message.slice(0, 160)}”`;
  if (c.status !== undefined && isFinalClientError(c.status))
    return {
      title: `代理或中转站拒绝了请求（${c.status}）`,
      why: `收到的应答不是 API 的错误信息：${said}来自 API 前面的网关、代理或中转站，它拒绝了这个请求。同一请求会得到同样的页面：tierguard 不会重发。`,
      steps: [
        refusalStep(c.status),
        '检查中转站或代理（日志、设置）；用 curl 访问 base URL，看是谁在应答（Server 和 Via 头）。',
      ],
      links: [],
    };
  return {
    title: '应答来自代理或中转站，而不是 API',
    why: `收到的应答${c.status === undefined ? '' : `（${c.status}）`}不是 API 的错误信息：${said}来自 API 前面的网关、代理、CDN 或中转站${c.status !== undefined && c.status >= 520 && c.status <= 530 ? '（52x 状态码是 Cloudflare 的）' : ''}。`,
    steps: [
      retried(c, '短暂退避后重试（tierguard 会有限次数地自动重试）。'),
      '检查 API 前面的中转站或代理（其状态页、日志）；base URL 也可能填错了。',
      '持续失败时，回退到其他端点。',
    ],
    links: [pageLink('status', 'zh-CN')],
  };
}

/** 中转站上的 `overloaded`：它的上游账号池已饱和（new-api 把上游的每个 429 都这样表述）。 */
export function relayOverloadedHint(c: HintContext): Hint {
  return {
    title: '中转站（或其上游）负载已饱和',
    why: `基础 URL 指向的中转站繁忙${c.status === undefined ? '' : `（${c.status}）`}：它为该模型准备的上游账号已用满。这不是你的密钥的速率限制，在中转站充值也无济于事。${waitSentence(c)}`,
    steps: [
      retried(c, '用更长的退避时间重试（tierguard 会自动这样做）。'),
      '如果中转站提供其他分组或渠道，在其控制台切换；对延迟敏感的路径，回退到其他模型或端点。',
      '查看中转站的状态页面或公告。',
    ],
    links: [],
  };
}

/**
 * The pages hints point to, with their labels per locale. Sources: the platform's settings pages,
 * the guides and help articles named in openai-api.md (HELP-QUOTA, HELP-429, the verification and
 * data-residency articles, the deprecations page, the flex-processing guide), and Microsoft's Azure
 * OpenAI pages (quota, deployments, API versions, content filtering; MS-AZ429).
 */
import type { HintLink, Locale } from '../types.js';

const PAGES = {
  apiKeys: { url: 'https://platform.openai.com/api-keys', en: 'API keys', 'zh-CN': 'API 密钥' },
  billing: {
    url: 'https://platform.openai.com/settings/organization/billing/overview',
    en: 'Billing overview',
    'zh-CN': '账单概览（Billing）',
  },
  paymentMethods: {
    url: 'https://platform.openai.com/settings/organization/billing/payment-methods',
    en: 'Billing → Payment methods',
    'zh-CN': '账单 → 支付方式（Payment methods）',
  },
  limits: {
    url: 'https://platform.openai.com/settings/organization/limits',
    en: 'Limits (rate limits and usage tier)',
    'zh-CN': '限额页面（Limits：速率限制与使用等级）',
  },
  usage: { url: 'https://platform.openai.com/usage', en: 'Usage', 'zh-CN': '用量页面（Usage）' },
  organization: {
    url: 'https://platform.openai.com/settings/organization/general',
    en: 'Organization settings (Verify Organization)',
    'zh-CN': '组织设置（Verify Organization 组织验证）',
  },
  projects: {
    url: 'https://platform.openai.com/settings/organization/projects',
    en: 'Projects (allowed models, limits, keys)',
    'zh-CN': '项目设置（允许的模型、限额、密钥）',
  },
  members: {
    url: 'https://platform.openai.com/settings/organization/people',
    en: 'Organization members and roles',
    'zh-CN': '组织成员与角色',
  },
  countries: {
    url: 'https://platform.openai.com/docs/supported-countries',
    en: 'Supported countries and territories',
    'zh-CN': '支持的国家和地区',
  },
  rateLimitsGuide: {
    url: 'https://platform.openai.com/docs/guides/rate-limits',
    en: 'Rate limits guide',
    'zh-CN': '速率限制指南',
  },
  errorCodes: {
    url: 'https://platform.openai.com/docs/guides/error-codes',
    en: 'Error codes',
    'zh-CN': '错误码说明',
  },
  models: { url: 'https://platform.openai.com/docs/models', en: 'Models', 'zh-CN': '模型列表' },
  status: { url: 'https://status.openai.com', en: 'OpenAI status', 'zh-CN': 'OpenAI 服务状态' },
  helpQuota: {
    url: 'https://help.openai.com/en/articles/6614457-troubleshooting-api-usage-and-spend-limits',
    en: 'Help: usage and spend limits',
    'zh-CN': '帮助文章：用量与消费上限',
  },
  help429: {
    url: 'https://help.openai.com/en/articles/5955604-troubleshooting-api-rate-limits-and-429-errors',
    en: 'Help: rate limits and 429 errors',
    'zh-CN': '帮助文章：速率限制与 429 错误',
  },
  helpVerification: {
    url: 'https://help.openai.com/en/articles/10910291-api-organization-verification',
    en: 'Help: API organization verification',
    'zh-CN': '帮助文章：API 组织验证',
  },
  deprecations: {
    url: 'https://platform.openai.com/docs/deprecations',
    en: 'Deprecations (shutdown dates and replacements)',
    'zh-CN': '模型弃用与下线时间表（Deprecations）',
  },
  fineTuning: {
    url: 'https://platform.openai.com/finetune',
    en: 'Fine-tuning dashboard (your fine-tuned models)',
    'zh-CN': '微调控制台（你的微调模型）',
  },
  flexProcessing: {
    url: 'https://platform.openai.com/docs/guides/flex-processing',
    en: 'Flex processing guide',
    'zh-CN': 'Flex 处理指南',
  },
  batch: {
    url: 'https://platform.openai.com/docs/guides/batch',
    en: 'Batch API guide',
    'zh-CN': 'Batch API 指南',
  },
  residency: {
    url: 'https://help.openai.com/en/articles/10503543-data-residency-for-the-openai-api',
    en: 'Help: data residency for the OpenAI API',
    'zh-CN': '帮助文章：OpenAI API 的数据驻留',
  },
  azureQuota: {
    url: 'https://learn.microsoft.com/azure/ai-services/openai/how-to/quota',
    en: 'Azure OpenAI: manage quota (TPM per deployment)',
    'zh-CN': 'Azure OpenAI：管理配额（每个部署的 TPM）',
  },
  azureDeployments: {
    url: 'https://learn.microsoft.com/azure/ai-services/openai/how-to/create-resource',
    en: 'Azure OpenAI: create a resource and deploy a model',
    'zh-CN': 'Azure OpenAI：创建资源并部署模型',
  },
  azureApiVersions: {
    url: 'https://learn.microsoft.com/azure/ai-services/openai/api-version-deprecation',
    en: 'Azure OpenAI: API versions (api-version)',
    'zh-CN': 'Azure OpenAI：API 版本（api-version）',
  },
  azureEntraId: {
    url: 'https://learn.microsoft.com/azure/ai-services/openai/how-to/managed-identity',
    en: 'Azure OpenAI: Microsoft Entra ID authentication',
    'zh-CN': 'Azure OpenAI：Microsoft Entra ID 身份验证',
  },
  azureContentFilter: {
    url: 'https://learn.microsoft.com/azure/ai-services/openai/concepts/content-filter',
    en: 'Azure OpenAI: content filtering',
    'zh-CN': 'Azure OpenAI：内容筛选',
  },
  reasoningPrompting: {
    url: 'https://platform.openai.com/docs/guides/reasoning#advice-on-prompting',
    en: 'Reasoning models: advice on prompting',
    'zh-CN': '推理模型提示词建议',
  },
} as const;

/** A page hints can point to. */
export type PageId = keyof typeof PAGES;

/** The link to a page, labelled in `locale`. */
export function pageLink(id: PageId, locale: Locale): HintLink {
  const page = PAGES[id];
  return { label: page[locale], url: page.url };
}

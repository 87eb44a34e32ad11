/**
 * What a base URL says about where a call goes: the OpenAI API (and which data-residency region),
 * Azure OpenAI, or another OpenAI-compatible endpoint (a relay, a gateway, a local server).
 */
import { DATA_RESIDENCY, type ResidencyRegion } from '../data/residency.js';
import type { Provider } from '../data/types.js';

const REGION_BY_HOST = new Map<string, ResidencyRegion>(
  Object.entries(DATA_RESIDENCY.hosts).map(([region, host]) => [host, region as ResidencyRegion]),
);

// Azure OpenAI resources (`<name>.openai.azure.com`), AI Services / Foundry resources.
const AZURE_HOST = /(?:^|\.)(?:openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/;

/** The host of a base URL, lower-cased; `undefined` for anything that is not an http(s) URL. */
export function hostOf(baseURL: unknown): string | undefined {
  if (typeof baseURL !== 'string' || baseURL.length > 2_048) return undefined;
  try {
    const url = new URL(baseURL);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A host of Azure OpenAI (`<name>.openai.azure.com`), an AI Services or a Foundry resource. */
export function isAzureHost(host: string): boolean {
  return AZURE_HOST.test(host.toLowerCase());
}

/** The data-residency region of an OpenAI regional host (`eu` for `https://eu.api.openai.com/v1`). */
export function residencyRegionOf(baseURL: unknown): ResidencyRegion | undefined {
  const host = hostOf(baseURL);
  return host === undefined ? undefined : REGION_BY_HOST.get(host);
}

/** Who serves a base URL: `openai` (api.openai.com and its regional hosts), `azure`, or `other`. */
export function providerOfBaseURL(baseURL: unknown): Provider | undefined {
  const host = hostOf(baseURL);
  if (host === undefined) return undefined;
  if (host === 'api.openai.com' || REGION_BY_HOST.has(host)) return 'openai';
  if (isAzureHost(host)) return 'azure';
  return 'other';
}

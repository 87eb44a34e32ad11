/**
 * Data residency: the OpenAI API's regional hosts and what they change (the price uplift, the
 * models and keys they serve). Pure data, with its sources (openai-api.md §E2; the help article).
 */

/** A data-residency region of the OpenAI API. */
export type ResidencyRegion = 'us' | 'eu' | 'au' | 'in' | 'jp';

/** The regional hosts, by region (`https://eu.api.openai.com/v1`). */
export const DATA_RESIDENCY = {
  asOf: '2026-12',
  source:
    'openai-api.md §E2 (regional hosts us., eu., au., in., jp.api.openai.com; +10 % for models released on or after 2026-03-05 on residency endpoints, pricing docs); help.openai.com/en/articles/10503543-data-residency-for-the-openai-api (eligibility, eligible models and endpoints)',
  hosts: {
    us: 'us.api.openai.com',
    eu: 'eu.api.openai.com',
    au: 'au.api.openai.com',
    in: 'in.api.openai.com',
    jp: 'jp.api.openai.com',
  },
  /** Regional endpoints price models released on or after `releasedOnOrAfter` this much higher. */
  uplift: { factor: 1.1, releasedOnOrAfter: '2026-03-05' },
} as const satisfies {
  asOf: string;
  source: string;
  hosts: Record<ResidencyRegion, string>;
  uplift: { factor: number; releasedOnOrAfter: string };
};

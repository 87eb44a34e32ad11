/**
 * What each chat model accepts and can do, as its model page states it: the input it takes (text,
 * images), whether it calls functions, answers in Structured Outputs, and reasons (a reasoning
 * model bills reasoning tokens and refuses some parameters of the others, such as `max_tokens` and
 * `temperature`). A cheaper fallback chain (`fallback: 'cheaper'`) only holds models that can do
 * at least what the asked-for model does. Pure data; a model that is not here gets no chain built
 * for it and is never put in one.
 */

/** A chat model's modalities and features. */
export interface ModelFeatures {
  /** Accepts images as input. */
  readonly imageInput: boolean;
  /** Function calling (`tools`). */
  readonly functionCalling: boolean;
  /** Structured Outputs (`response_format: { type: 'json_schema' }`, `text.format`). */
  readonly structuredOutputs: boolean;
  /** A reasoning model (reasoning tokens; its own parameter set). */
  readonly reasoning: boolean;
  /** Where the row comes from. */
  readonly source: string;
  /** The date the source holds for. */
  readonly asOf: string;
}

/** The 2025-10-02 copy of a model page (the scrape OAI-MODEL-2025 and the price table come from). */
const page = (id: string): string =>
  `OAI-MODEL-2025:${id} (the page's "Modalities" and "Features", and "Reasoning token support"), platform.openai.com/docs/models/${id} (2025-10-02 scrape, repo TSGCFO/gpt5-mobile-assistant, Docs/responses-api/platform.openai.com_docs_models_${id}.md)`;

const row = (
  id: string,
  imageInput: boolean,
  functionCalling: boolean,
  structuredOutputs: boolean,
  reasoning: boolean,
): ModelFeatures => ({
  imageInput,
  functionCalling,
  structuredOutputs,
  reasoning,
  source: page(id),
  asOf: '2025-10-02',
});

/** Chat models with a published price and tier limits, by family. */
export const MODEL_FEATURES = {
  asOf: '2025-10-02',
  source: 'platform.openai.com/docs/models/<id> (2025-10-02 scrape, OAI-MODEL-2025)',
  models: {
    'gpt-4o': row('gpt-4o', true, true, true, false),
    'gpt-4o-mini': row('gpt-4o-mini', true, true, true, false),
    'gpt-4.1': row('gpt-4.1', true, true, true, false),
    'gpt-4.1-mini': row('gpt-4.1-mini', true, true, true, false),
    // The page lists function calling as "Not supported" (and no Structured Outputs).
    'gpt-3.5-turbo': row('gpt-3.5-turbo', false, false, false, false),
    'gpt-5': row('gpt-5', true, true, true, true),
    'gpt-5-mini': row('gpt-5-mini', true, true, true, true),
    o3: row('o3', true, true, true, true),
    'o4-mini': row('o4-mini', true, true, true, true),
    'o3-mini': row('o3-mini', false, true, true, true),
  },
} as const satisfies { asOf: string; source: string; models: Record<string, ModelFeatures> };

/**
 * A burst of concurrent chat calls through a guard with a budget, answered by a loopback-free
 * transport that reports the usage a real answer could: the prompt, and the whole output maximum
 * the call was sent with (the worst case). What the budget tests and the budget bench row share.
 */
import OpenAI from 'openai';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import type { Guard } from '../../../src/guard/create-guard.js';

/** The usage every answer reports: its prompt, counted as the API would. */
export const PROMPT_TOKENS = 14;
/** The output maximum each call asks for. */
export const MAX_TOKENS = 1_000;
/** What one call of the burst costs on gpt-4o ($2.50 / $10 per 1M) when it uses its whole output. */
export const CALL_USD = (PROMPT_TOKENS * 2.5 + MAX_TOKENS * 10) / 1_000_000;

/** A transport that answers after `latencyMs`, with the output maximum the call was sent with as its output. */
export function worstCaseTransport(latencyMs: number, maxTokensSent: number[] = []): typeof globalThis.fetch {
  return async (_input, init) => {
    const body = JSON.parse(String(init?.body)) as {
      model: string;
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    const output = body.max_completion_tokens ?? body.max_tokens ?? MAX_TOKENS;
    maxTokensSent.push(output);
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return new Response(
      JSON.stringify({
        id: 'chatcmpl-burst',
        object: 'chat.completion',
        created: 1_763_856_000,
        model: body.model,
        service_tier: 'default',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'length' },
        ],
        usage: {
          prompt_tokens: PROMPT_TOKENS,
          completion_tokens: output,
          total_tokens: PROMPT_TOKENS + output,
        },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  };
}

/** What a burst did. */
export interface BurstResult {
  readonly served: number;
  /** Calls refused locally by the budget. */
  readonly refused: number;
  /** Any other failure (none expected). */
  readonly other: number;
}

/** Fires `calls` chat calls at once through `guard`, each asking for `MAX_TOKENS` of gpt-4o. */
export async function burst(
  guard: Guard,
  transport: typeof globalThis.fetch,
  calls: number,
): Promise<BurstResult> {
  const client = guard.wrap(
    new OpenAI({ apiKey: 'sk-burst', baseURL: 'http://127.0.0.1:9/v1', fetch: transport }),
  );
  const outcomes = await Promise.all(
    Array.from({ length: calls }, () =>
      client.chat.completions
        .create({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'Write one line about rivers.' }],
          max_tokens: MAX_TOKENS,
        })
        .then(
          () => 'served' as const,
          (error: unknown) =>
            diagnose(error).cause === 'budget_exhausted' ? ('refused' as const) : ('other' as const),
        ),
    ),
  );
  return {
    served: outcomes.filter((outcome) => outcome === 'served').length,
    refused: outcomes.filter((outcome) => outcome === 'refused').length,
    other: outcomes.filter((outcome) => outcome === 'other').length,
  };
}

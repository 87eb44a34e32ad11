/**
 * Local refusals (queue full, budget spent, a call that can never fit, a wait beyond `maxWaitMs`)
 * reach the caller the way the API's refusals do: as an answer the SDK turns into its own error
 * class, so existing `catch` code keeps working. The body says `type: "tierguard_local"`, and
 * `diagnose` names it with `origin: 'local'`.
 */
import type { FailedAnswer } from './answer.js';

/** The local refusals and the code their body carries. */
export type LocalCause =
  | 'queue_full'
  | 'budget_exhausted'
  | 'request_too_large'
  | 'requests_wait_exceeded'
  | 'tokens_wait_exceeded'
  | 'invalid_fallback_header';

/**
 * A local refusal as a 429 answer (with `retry-after-ms` when the guard knows how long it would
 * take); a request the guard cannot read (a bad `x-tierguard-fallback`) as a 400, which `diagnose`
 * names `invalid_request`.
 */
export function localAnswer(cause: LocalCause, message: string, retryAfterMs?: number): FailedAnswer {
  const headers = new Headers({ 'content-type': 'application/json', 'x-tierguard-local': '1' });
  if (retryAfterMs !== undefined) headers.set('retry-after-ms', String(Math.ceil(retryAfterMs)));
  const invalid = cause === 'invalid_fallback_header';
  return {
    status: invalid ? 400 : 429,
    statusText: invalid ? 'Bad Request' : 'Too Many Requests',
    headers,
    bodyText: JSON.stringify({
      error: {
        message,
        type: 'tierguard_local',
        param: invalid ? 'x-tierguard-fallback' : null,
        code: cause,
      },
    }),
    url: '',
  };
}

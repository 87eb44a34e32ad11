/**
 * Local refusals (queue full, budget spent, a call that can never fit) reach the caller the way the
 * API's refusals do: as a response the SDK turns into its own error class, so existing `catch`
 * code keeps working. The body says `type: "tierguard_local"`, and `diagnose` names it with
 * `origin: 'local'`.
 */
import { DIAGNOSIS_HEADER, encodeDiagnosis } from '../diagnose/attach.js';
import type { Diagnosis } from '../diagnose/types.js';

/** The local causes and the HTTP status they are delivered with. */
export type LocalCause = 'queue_full' | 'budget_exhausted' | 'request_too_large';

/** The JSON body of a local refusal. */
export function localErrorBody(cause: LocalCause, message: string): string {
  return JSON.stringify({ error: { message, type: 'tierguard_local', param: null, code: cause } });
}

/** A synthesized 429 for a local refusal, carrying its diagnosis. */
export function localResponse(cause: LocalCause, message: string, diagnosis?: Diagnosis): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'x-tierguard-local': '1' });
  if (diagnosis !== undefined) headers.set(DIAGNOSIS_HEADER, encodeDiagnosis(diagnosis));
  return new Response(localErrorBody(cause, message), {
    status: 429,
    statusText: 'Too Many Requests',
    headers,
  });
}

/** A copy of `response` with extra headers (a fetch response's own headers are immutable). */
export function withHeaders(
  response: Response,
  body: BodyInit | null,
  extra: Readonly<Record<string, string>>,
): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  // The body was read or re-wrapped: its original length and encoding no longer describe it.
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

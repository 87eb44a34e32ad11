// `tierguard/testing`: faithful OpenAI error responses and tools to unit-test error handling.

export { apiErrors, fakeApiKey, fixtures, fakeRequestId, rateLimitHeaders, toResponse } from './fixtures.js';
export type { ApiErrorBody, ErrorFixture, FixtureName, RateLimitOptions } from './fixtures.js';
export {
  chatCompletion,
  chatCompletionStream,
  embeddingsResponse,
  limitHeaders,
  responsesResponse,
  scriptedFetch,
} from './scripted-fetch.js';
export type {
  NetworkFailure,
  RecordedCall,
  Script,
  ScriptItem,
  ScriptedFetch,
  ScriptedFetchOptions,
  UsageCounts,
} from './scripted-fetch.js';
export { openaiHandlers, releaseMockedBodyCopies } from './msw.js';
export type {
  HandlerLimits,
  MswHttp,
  MswServerEvents,
  OpenAIHandlers,
  OpenAIHandlersOptions,
} from './msw.js';
export { createSimulator } from './simulator/simulator.js';
export type { Simulator } from './simulator/simulator.js';
export type {
  LatencyRange,
  LatencySpread,
  RateLimitHeaderMode,
  SimulatedRequest,
  SimulatorAccount,
  SimulatorAccountPatch,
  SimulatorLimits,
  SimulatorOptions,
} from './simulator/options.js';
export type { ModelStats, SimulatorStats, TimelineEntry } from './simulator/stats.js';
export { FAULT_KINDS } from './simulator/faults.js';
export type { FaultKind, FaultRule } from './simulator/faults.js';

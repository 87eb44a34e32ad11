// `tierguard/testing`: faithful OpenAI error responses and tools to unit-test error handling.

export { apiErrors, fixtures, fakeRequestId, rateLimitHeaders, toResponse } from './fixtures.js';
export type { ApiErrorBody, ErrorFixture, FixtureName, RateLimitOptions } from './fixtures.js';

/**
 * The simulated account and the checks it answers before any rate limit, in the API's order: key,
 * organization header, region, billing, model access, project allow-list, verification, then credit
 * and spend. Each check returns the API's refusal (an `apiErrors` fixture) or nothing; none charges.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { apiErrors, type ErrorFixture } from '../fixtures.js';
import type { CatalogueEntry } from './catalogue.js';
import type { SimulatorAccount, SimulatorAccountPatch } from './account-options.js';

/** The project id the simulator shows in allowed-models refusals. */
const PROJECT_ID = 'proj_simulated';

/**
 * The key as the API echoes a wrong one: `apiErrors.invalidApiKey` keeps the first 8 and last 4
 * characters, which would show a short key whole; a short key is shown by its first 3 only. No
 * answer of the simulator carries a key in full (DESIGN.md).
 */
function echoableKey(key: string): string {
  return key.length <= 16 ? `${key.slice(0, 3)}${'*'.repeat(9)}` : key;
}

/** 401s for the key: none sent (Table 1 #5b), or not the account's (#1). */
export function refuseKey(
  headers: IncomingHttpHeaders,
  accountKey: string | undefined,
): ErrorFixture | undefined {
  const authorization = headers.authorization;
  let key = '';
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.*)$/i.exec(authorization);
    key = (match?.[1] ?? '').trim();
  }
  // Azure clients send `api-key` instead of a bearer token.
  if (key === '' && typeof headers['api-key'] === 'string') key = headers['api-key'].trim();
  if (key === '') return apiErrors.missingApiKey();
  if (accountKey !== undefined && key !== accountKey) return apiErrors.invalidApiKey(echoableKey(key));
  return undefined;
}

/** 401 `mismatched_organization` when the request names another organization (Table 1 #4). */
export function refuseOrganization(
  headers: IncomingHttpHeaders,
  organization: string,
  enforced: boolean,
): ErrorFixture | undefined {
  const named = headers['openai-organization'];
  if (!enforced || typeof named !== 'string' || named === '' || named === organization) return undefined;
  return apiErrors.organization('mismatched_organization', named);
}

/** The account's state: its settings, its credit and its month's spend. */
export class AccountBook {
  #account: SimulatorAccount;

  constructor(initial: SimulatorAccount) {
    this.#account = { ...initial };
  }

  /** A copy of the account now (credit and spend as they stand). */
  get current(): SimulatorAccount {
    return { ...this.#account };
  }

  /** Changes fields; `undefined` or `null` returns a field to its default. */
  patch(patch: SimulatorAccountPatch): void {
    const merged: Record<string, unknown> = { ...this.#account, ...patch };
    // A field set to undefined or null is dropped, which is its default.
    this.#account = Object.fromEntries(
      Object.entries(merged).filter(([, value]) => value !== undefined && value !== null),
    ) as SimulatorAccount;
  }

  /** Takes a served call's cost from the credit and adds it to the month's spend. */
  spend(usd: number): void {
    if (usd <= 0) return;
    // In place: this runs on every served call, and `current` hands out copies only on request.
    const account = this.#account as { spentUsd?: number; creditUsd?: number };
    account.spentUsd = (account.spentUsd ?? 0) + usd;
    if (account.creditUsd !== undefined) account.creditUsd -= usd;
  }

  /** 403 for a region the API does not serve (Table 1 #9): every endpoint. */
  refuseRegion(): ErrorFixture | undefined {
    return this.#account.regionSupported === false ? apiErrors.regionUnsupported() : undefined;
  }

  /** 429 `billing_not_active` (Table 1 #26): model calls only, listing models still works. */
  refuseBilling(): ErrorFixture | undefined {
    return this.#account.billingActive === false ? apiErrors.billingNotActive() : undefined;
  }

  /** 403 for a model outside the project's allowed models (Table 1 #11). */
  refuseProject(entry: CatalogueEntry): ErrorFixture | undefined {
    const allowed = this.#account.allowedModels;
    if (allowed === undefined || allowed.includes(entry.name) || allowed.includes(entry.family))
      return undefined;
    return apiErrors.projectModelDenied(entry.name, PROJECT_ID);
  }

  /**
   * An unverified organization: 403 to use gpt-image-1 (Table 1 #12), 400 `unsupported_value` to
   * stream o3 / gpt-5 (#14) or to ask them for reasoning summaries (#15).
   */
  refuseVerification(
    entry: CatalogueEntry,
    body: Readonly<Record<string, unknown>>,
    stream: boolean,
  ): ErrorFixture | undefined {
    const needs = entry.verification;
    if (this.#account.organizationVerified !== false || needs === undefined) return undefined;
    if (needs.access === true) return apiErrors.verificationRequired(entry.name, 'model');
    if (needs.streaming === true && stream) return apiErrors.verificationRequired(entry.name, 'stream');
    const reasoning = body.reasoning;
    const summary =
      typeof reasoning === 'object' && reasoning !== null
        ? (reasoning as Record<string, unknown>).summary
        : undefined;
    if (needs.reasoningSummary === true && summary !== undefined && summary !== null)
      return apiErrors.verificationRequired(entry.name, 'reasoning.summary');
    return undefined;
  }

  /**
   * 429s for money (Table 1 #21–25): no credit left, then the organization's and the project's hard
   * spend limits, then the tier's usage limit. A call that crosses a limit is still served (spend
   * "can slightly overshoot", OAI-SPEND); the next one is refused.
   */
  refuseMoney(): ErrorFixture | undefined {
    const account = this.#account;
    if ((account.creditUsd ?? Number.POSITIVE_INFINITY) <= 0)
      return account.prepaid === true ? apiErrors.creditBalanceExhausted() : apiErrors.insufficientQuota();
    const spent = account.spentUsd ?? 0;
    if (account.spendLimitUsd !== undefined && spent >= account.spendLimitUsd)
      return apiErrors.spendLimit('organization_spend_limit_exceeded');
    if (account.projectSpendLimitUsd !== undefined && spent >= account.projectSpendLimitUsd)
      return apiErrors.spendLimit('project_spend_limit_exceeded');
    if (account.usageLimitUsd !== undefined && spent >= account.usageLimitUsd)
      return apiErrors.spendLimit('organization_usage_limit_exceeded');
    return undefined;
  }
}

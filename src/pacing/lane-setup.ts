/**
 * A new lane: its key's readable name (no credential), its starting limits (the caller's, the
 * tier's or the defaults) configured in the store, and a `model-unknown` event when the model's
 * limits had to be guessed.
 */
import type { ResolvedModel } from '../models/resolve.js';
import { maskSecrets } from '../util/mask.js';
import { Lane } from './lane.js';
import { startingLimits } from './limits.js';
import type { PacerOptions } from './pacer-options.js';
import { settleQuietly } from './scheduler.js';
import { SOURCE_PRIORITY, type Dimension, type LimitSource } from './types.js';

/** Where a call goes: what its limit key is made of. */
export interface LaneAddress {
  readonly baseURL: string;
  readonly organization?: string | undefined;
  readonly project?: string | undefined;
  /** A one-way hash of the API key, so that two accounts never share a lane (`undefined`: shared). */
  readonly account?: string | undefined;
  /** The model the request names (for an Azure deployment, the model it serves). */
  readonly model?: string | undefined;
  /** An Azure deployment: its own quota, its own lane. */
  readonly deployment?: string | undefined;
  /** Secrets that may appear in the base URL (the caller's key, fallback keys): masked in the lane's name. */
  readonly secrets?: readonly string[] | undefined;
}

/** A base URL as people may read it: no credentials, no query, no key in the path. */
export function readableBase(baseURL: string, secrets: readonly string[]): string {
  try {
    const url = new URL(baseURL);
    return maskSecrets(`${url.host}${url.pathname}`.replace(/\/+$/, ''), secrets);
  } catch {
    return maskSecrets(baseURL.slice(0, 200), secrets);
  }
}

/** Creates the lane of `key`, its buckets configured in the store. */
export function setUpLane(
  options: PacerOptions,
  at: {
    readonly key: string;
    readonly address: LaneAddress;
    readonly family: string;
    readonly resolved: ResolvedModel | undefined;
    readonly nowMs: number;
  },
): Lane {
  const { key, address, family, resolved } = at;
  const starting = startingLimits({
    model: resolved,
    tier: options.tier,
    limits: options.limits,
    windowMs: options.windowMs,
  });
  const account = address.account === undefined ? '' : `key:${address.account.slice(0, 8)}`;
  const label = [
    readableBase(address.baseURL, address.secrets ?? []),
    address.organization ?? '',
    address.project ?? '',
    account,
    family,
  ].join('|');
  const lane = new Lane({
    key,
    label,
    family,
    model: resolved,
    windowFixed: options.windowFixed || starting.windowFixed,
    concurrency: options.initialConcurrency,
    nowMs: at.nowMs,
  });
  for (const [dimension, limit] of Object.entries(starting.dimensions) as [
    Dimension,
    { capacity: number; windowMs: number; source: LimitSource },
  ][]) {
    lane.limits.set(dimension, {
      capacity: limit.capacity,
      windowMs: limit.windowMs,
      source: limit.source,
      confirmations: 0,
    });
    settleQuietly(
      options.store.configure(
        key,
        dimension,
        { capacity: limit.capacity, windowMs: limit.windowMs },
        SOURCE_PRIORITY[limit.source],
      ),
    );
  }
  // Known limits pace the lane from its first call: no calibration.
  if (lane.knowsLimits) lane.concurrency = Number.POSITIVE_INFINITY;
  if (starting.defaulted && address.model !== undefined) {
    const requests = lane.limits.get('requests')?.capacity;
    const tokens = lane.limits.get('tokens')?.capacity;
    options.emit({
      type: 'model-unknown',
      key: label,
      model: address.model,
      family,
      ...(requests === undefined ? {} : { requestsPerMinute: requests }),
      ...(tokens === undefined ? {} : { tokensPerMinute: tokens }),
    });
  }
  return lane;
}

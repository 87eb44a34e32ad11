/**
 * The account a call belongs to, as far as its key tells: a one-way hash of the API key, so that
 * two accounts (a service calling with its customers' keys) never share a lane, and no key is kept
 * in a lane's name.
 */
import { sha256Hex } from '../util/sha256.js';

const accounts = new Map<string, string>();

/** A one-way hash of an API key, 16 hex digits (cached: a service uses a handful of keys). */
export function accountOf(apiKey: string): string {
  let account = accounts.get(apiKey);
  if (account === undefined) {
    account = sha256Hex(`tierguard:${apiKey}`).slice(0, 16);
    if (accounts.size >= 256) accounts.delete(accounts.keys().next().value as string);
    accounts.set(apiKey, account);
  }
  return account;
}

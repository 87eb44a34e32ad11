/**
 * Lookups by a caller-given name in the data tables. A plain `table[name]` answers `constructor`,
 * `toString` or `__proto__` with `Object.prototype`'s members; a `Map` built from the table's own
 * entries answers only what the table holds.
 */

/** A read-only `Map` of a table's own entries. */
export function tableOf<T>(record: Readonly<Record<string, T>>): ReadonlyMap<string, T> {
  return new Map(Object.entries(record));
}

/** `record[name]` when `record` itself holds `name`; `undefined` otherwise (never an inherited member). */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, name: unknown): T | undefined {
  if (record === undefined || record === null || typeof name !== 'string') return undefined;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/**
 * Argument checks the commands share; each error names the option, what it takes and what it got.
 */
import { LOCALES, type Locale } from '../diagnose/types.js';
import type { CommandIO } from './command.js';

/** `--locale`, checked: the locale, or undefined after saying why on stderr. */
export function parseLocale(command: string, value: string | undefined, io: CommandIO): Locale | undefined {
  const found = LOCALES.find((locale) => locale === value);
  if (found === undefined)
    io.err(`tierguard ${command}: --locale must be en or zh-CN, got ${JSON.stringify(value)}\n`);
  return found;
}

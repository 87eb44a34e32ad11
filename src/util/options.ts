/**
 * Options are parsed once, with zod, and a bad one is refused with an error that names the field,
 * what was expected and what was given. Shared by the guard's and the simulator's options.
 */
import * as classic from 'zod';
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// A registered symbol: the same in every copy of tierguard loaded in the process.
const OPTIONS_ERROR = Symbol.for('tierguard.TierguardOptionsError');

/** Options refused at construction; `issues` say which, what was expected and what was given. */
export class TierguardOptionsError extends TypeError {
  readonly issues: readonly { readonly path: string; readonly expected: string; readonly received: string }[];

  constructor(issues: readonly { path: string; expected: string; received: string }[]) {
    super(
      `tierguard: invalid options:\n${issues.map((issue) => `  - \`${issue.path}\`: expected ${issue.expected}, received ${issue.received}`).join('\n')}`,
    );
    this.name = 'TierguardOptionsError';
    this.issues = issues;
    Object.defineProperty(this, OPTIONS_ERROR, { value: true });
  }

  /**
   * `instanceof` holds across copies of this class: `tierguard` and `tierguard/testing` are built
   * as separate bundles (and ESM and CommonJS as separate files), each with its own class object, so
   * an error thrown by `createSimulator` must still be `instanceof` the class imported from `tierguard`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[OPTIONS_ERROR] === true
    );
  }
}

/**
 * How options are parsed: with the input in each issue (for `received`), and zod's English messages
 * where a schema gives none. Given to each parse rather than set with `z.config`, which is global
 * (shared by every copy of zod in the process, the user's own included); `zod/mini` loads no locale.
 */
export const PARSE_CONTEXT: z.core.ParseContext<z.core.$ZodIssue> = {
  reportInput: true,
  error: en().localeError,
};

/** What was given, for an error message: short, and never a whole object. */
function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return 'an object';
  }
}

/**
 * The keys the object schema at `path` inside `schema` accepts, through the wrappers options use
 * (optional, default, union, pipe, record); `undefined` where the path leads to no object schema.
 */
export function keysAt(
  schema: z.core.$ZodType,
  path: readonly PropertyKey[],
  depth = 0,
): string[] | undefined {
  if (depth > 16) return undefined;
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (next: unknown, rest = path): string[] | undefined =>
    next instanceof Object && '_zod' in next ? keysAt(next as z.core.$ZodType, rest, depth + 1) : undefined;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const [key, ...rest] = path;
      return typeof key === 'string' && Object.hasOwn(shape, key) ? inner(shape[key], rest) : undefined;
    }
    case 'record':
      return path.length === 0 ? undefined : inner(def.valueType, path.slice(1));
    case 'union':
      for (const option of def.options as unknown[]) {
        const keys = inner(option);
        if (keys !== undefined) return keys;
      }
      return undefined;
    case 'pipe':
      return inner(def.in) ?? inner(def.out);
    default:
      return inner(def.innerType);
  }
}

/**
 * Parses `input` with `parser`, or throws `TierguardOptionsError` naming every bad field under
 * `prefix`. An unknown key lists the known ones: `known` at the top, the schema's own below.
 */
export function parseWith<Output>(
  parser: z.core.$ZodType<Output>,
  input: unknown,
  prefix: string,
  known: readonly string[],
): Output {
  const result = z.safeParse(parser, input, PARSE_CONTEXT);
  if (result.success) return result.data;
  throw new TierguardOptionsError(
    result.error.issues.flatMap((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      if (issue.code === 'unrecognized_keys') {
        const here =
          path === prefix
            ? known
            : ((issue as { known?: string[] }).known ?? keysAt(parser, issue.path) ?? []);
        return issue.keys.map((key) => ({
          path: path === '' ? key : `${path}.${key}`,
          expected: `no such option (known: ${here.join(', ') || 'see the docs'})`,
          received: describe((issue.input as Record<string, unknown> | undefined)?.[key]),
        }));
      }
      // zod's own wording is "Invalid input: expected X, received Y"; the error adds its own.
      const expected = issue.message
        .replace(/^Invalid input: /, '')
        .replace(/^expected /, '')
        .replace(/, received .*$/, '');
      return [{ path: path === '' ? '(options)' : path, expected, received: describe(issue.input) }];
    }),
  );
}

/** A positive number (`zod/mini`, the main entry's API). */
export const positiveMini = (what: string) =>
  z
    .number({ error: `a positive number of ${what}` })
    .check(z.positive({ error: `a positive number of ${what}` }));
/** A positive integer (`zod/mini`, the main entry's API). */
export const positiveIntegerMini = (what: string) =>
  z
    .number({ error: `a positive integer number of ${what}` })
    .check(
      z.int({ error: `a positive integer number of ${what}` }),
      z.positive({ error: `a positive integer number of ${what}` }),
    );
// The same two with zod's classic API, which the testing entry's schemas use (zod is external there).
export const positive = (what: string) =>
  classic
    .number({ error: `a positive number of ${what}` })
    .positive({ error: `a positive number of ${what}` });
export const positiveInteger = (what: string) =>
  classic
    .number({ error: `a positive integer number of ${what}` })
    .int({ error: `a positive integer number of ${what}` })
    .positive({ error: `a positive integer number of ${what}` });
export const isFunction = (value: unknown): boolean => typeof value === 'function';

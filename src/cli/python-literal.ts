/**
 * A reader for the literal a Python traceback prints an error body as: the openai SDK's message is
 * `Error code: 429 - {'error': {'message': …, 'type': …, 'param': None, 'code': …}}`, a dict's
 * `repr` (single or double quotes, `None`, `True`, `False`, tuples). Node's `util.inspect` output
 * (bare keys, `null`, `undefined`) reads too. One pass, no backtracking, nesting capped: a crafted
 * paste costs time in proportion to its length.
 */

const MAX_DEPTH = 32;

type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** The literal at the start of `text` (after spaces), and where it ends; undefined when there is none. */
export function readPythonLiteral(text: string): { value: Value; end: number } | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(`not a literal at ${at}`);
  };
  const spaces = (): void => {
    while (at < text.length && /\s/.test(text.charAt(at))) at += 1;
  };
  const expect = (character: string): void => {
    if (text.charAt(at) !== character) fail();
    at += 1;
  };

  const ESCAPES: Readonly<Record<string, string>> = {
    n: '\n',
    r: '\r',
    t: '\t',
    b: '\b',
    f: '\f',
    v: '\v',
    a: '\u0007',
    '0': '\0',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '\n': '',
  };
  const hex = (length: number): string => {
    const digits = text.slice(at, at + length);
    if (!new RegExp(`^[0-9A-Fa-f]{${length}}$`).test(digits)) fail();
    at += length;
    const code = Number.parseInt(digits, 16);
    if (code > 0x10ffff) fail();
    return String.fromCodePoint(code);
  };
  const string = (): string => {
    let raw = false;
    while (/[rRbBuU]/.test(text.charAt(at))) {
      if (/[rR]/.test(text.charAt(at))) raw = true;
      at += 1;
    }
    const quote = text.charAt(at);
    if (quote !== "'" && quote !== '"') fail();
    at += 1;
    let value = '';
    for (;;) {
      if (at >= text.length) fail();
      const character = text.charAt(at);
      at += 1;
      if (character === quote) return value;
      if (character !== '\\') {
        value += character;
        continue;
      }
      const next = text.charAt(at);
      at += 1;
      if (raw) value += `\\${next}`;
      else if (next === 'x') value += hex(2);
      else if (next === 'u') value += hex(4);
      else if (next === 'U') value += hex(8);
      else value += ESCAPES[next] ?? `\\${next}`;
    }
  };
  const number = (): number => {
    const found = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 64))?.[0];
    if (found === undefined) fail();
    at += (found as string).length;
    return Number(found);
  };
  const WORDS: Readonly<Record<string, Value>> = {
    None: null,
    null: null,
    undefined: null,
    True: true,
    true: true,
    False: false,
    false: false,
  };
  const word = (): string => {
    const found = /^[A-Za-z_$][\w$]{0,63}/.exec(text.slice(at, at + 64))?.[0];
    if (found === undefined) fail();
    at += (found as string).length;
    return found as string;
  };
  const items = (close: string, each: () => void): void => {
    spaces();
    while (text.charAt(at) !== close) {
      each();
      spaces();
      if (text.charAt(at) === ',') {
        at += 1;
        spaces();
      } else if (text.charAt(at) !== close) fail();
    }
    at += 1;
  };
  const value = (depth: number): Value => {
    if (depth > MAX_DEPTH) fail();
    spaces();
    const character = text.charAt(at);
    if (character === '{') {
      at += 1;
      // No prototype: a key named `__proto__` or `constructor` is just a key.
      const dict = Object.create(null) as { [key: string]: Value };
      items('}', () => {
        const next = text.charAt(at);
        const quoted =
          next === "'" || next === '"' || (/[rRbBuU]/.test(next) && /['"]/.test(text.charAt(at + 1)));
        const key = quoted ? string() : /[-\d.]/.test(next) ? String(number()) : word();
        spaces();
        expect(':');
        dict[key] = value(depth + 1);
      });
      return dict;
    }
    if (character === '[' || character === '(') {
      at += 1;
      const list: Value[] = [];
      items(character === '[' ? ']' : ')', () => list.push(value(depth + 1)));
      return list;
    }
    if (character === "'" || character === '"') return string();
    if (/[-\d.]/.test(character)) return number();
    if (/[rRbBuU]/.test(character) && /['"]/.test(text.charAt(at + 1))) return string();
    const name = word();
    if (!Object.hasOwn(WORDS, name)) fail();
    return WORDS[name] as Value;
  };

  try {
    const result = value(0);
    return { value: result, end: at };
  } catch {
    return undefined;
  }
}

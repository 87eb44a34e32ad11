/**
 * A pasted error, read the way it was copied: `curl -i` / `curl -v` output (status line, headers,
 * body), a Python traceback (`openai.RateLimitError: Error code: 429 - {'error': {…}}`), a Node
 * error line (`RateLimitError: 429 …`), a JSON body, or a bare message. The paste is cut to a
 * bounded size first and read in one pass of bounded patterns, so a crafted paste cannot stall it.
 */
import { readPythonLiteral } from './python-literal.js';

/** A paste longer than this keeps its first and last halves (a traceback ends with its error, curl starts with its status). */
export const PASTE_MAX_CHARS = 64 * 1024;
/** Every string handed to diagnose is cut to this (no real error message comes close). */
export const MESSAGE_MAX_CHARS = 4_000;
const MAX_HEADERS = 200;
const MAX_DEPTH = 16;

/** How the paste was read. */
export type PasteSource = 'curl' | 'python' | 'node' | 'json' | 'text';

/** What a paste says about a failure. */
export interface PastedError {
  readonly source: PasteSource;
  /** The exception class or the status line the paste was read from. */
  readonly label?: string;
  readonly status?: number;
  /** Response headers (from curl), lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The answer's body: the API's error object, or the text of a page. */
  readonly body?: unknown;
  /** A message without a body (a Node error line, a bare message). */
  readonly message?: string;
  /** The client never got an answer. */
  readonly network?: 'connection' | 'timeout';
  /** The system error code a connection failure names (ENOTFOUND, ECONNREFUSED…). */
  readonly networkCode?: string;
  /** The paste was longer than `PASTE_MAX_CHARS` and its middle was left out. */
  readonly cut: boolean;
}

const STATUS_LINE = /^(?:< )?HTTP\/[0-9.]{1,3} ([1-5]\d\d)\b ?(.{0,80})/;
const HEADER_LINE = /^(?:< )?([A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}):[ \t]*(.{0,8192})$/;
// curl -v noise: `* Trying…`, `> GET …` (the request, with its Authorization), `{ [5 bytes data]`.
const CURL_NOISE = /^(?:[*>] |[*>]$|[{}] \[)/;
// An exception line, unindented: `openai.RateLimitError: …`, `RateLimitError: …`, `Error: …`.
const EXCEPTION_LINE =
  /^((?:[A-Za-z_]\w{0,60}\.){0,6}(?:[A-Za-z_]\w{0,60})?(?:Error|Exception|Timeout)): ?(.{0,65536})$/;
const PYTHON_STATUS = /^Error code: ([1-5]\d\d)(?: - ([\s\S]*))?$/;
const NODE_STATUS = /^([1-5]\d\d) ([\s\S]*)$/;

// openai-python's error classes and the status each is raised for (openai/_exceptions.py).
const PYTHON_CLASS_STATUS: Readonly<Record<string, number>> = {
  BadRequestError: 400,
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  UnprocessableEntityError: 422,
  RateLimitError: 429,
  InternalServerError: 500,
};

// What a connection failure's text says, per system error code (Python's errno texts, Node's codes).
const NETWORK_WORDS: readonly (readonly [RegExp, string])[] = [
  [/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/, ''],
  [/Name or service not known|nodename nor servname|getaddrinfo failed|No address associated/i, 'ENOTFOUND'],
  [/Temporary failure in name resolution/i, 'EAI_AGAIN'],
  [/Connection refused/i, 'ECONNREFUSED'],
  [/Connection reset by peer/i, 'ECONNRESET'],
  [/No route to host/i, 'EHOSTUNREACH'],
  [/Network is unreachable/i, 'ENETUNREACH'],
];

/** Cuts a string to `MESSAGE_MAX_CHARS`. */
function capString(text: string): string {
  return text.length > MESSAGE_MAX_CHARS ? `${text.slice(0, MESSAGE_MAX_CHARS)}…` : text;
}

/** A copy of a parsed body with every string cut and nesting bounded. */
function capValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return capString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => capValue(item, depth + 1));
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value).slice(0, 100)) copy[key] = capValue(item, depth + 1);
  return copy;
}

/** A body's text as data: JSON, else a Python or Node literal, else the text itself. */
function bodyOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return capValue(JSON.parse(trimmed));
    } catch {
      const literal = readPythonLiteral(trimmed);
      if (literal !== undefined) return capValue(literal.value);
    }
  }
  return capString(trimmed);
}

/** A JSON object pasted as text (`{…}`), read; `undefined` for anything else. */
function jsonBodyOf(text: string): object | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  const body = bodyOf(text);
  return typeof body === 'object' && body !== null ? body : undefined;
}

function networkCodeIn(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    for (const [pattern, code] of NETWORK_WORDS) {
      const found = pattern.exec(line.slice(0, 2_000));
      if (found !== null) return code === '' ? found[1] : code;
    }
  }
  return undefined;
}

/** The last response of curl output (after any `100 Continue` or proxy `Connection established`). */
function readCurl(lines: readonly string[]): PastedError | undefined {
  let chosen: { status: number; label: string; headers: Record<string, string>; body: string[] } | undefined;
  let current: typeof chosen;
  let inHeaders = false;
  for (const line of lines) {
    const status = STATUS_LINE.exec(line);
    if (status !== null) {
      const code = Number(status[1]);
      current = { status: code, label: line.replace(/^< /, '').trim(), headers: {}, body: [] };
      const interim = code < 200 || (code === 200 && /connection established/i.test(status[2] ?? ''));
      if (!interim) chosen = current;
      inHeaders = true;
      continue;
    }
    if (current === undefined) continue;
    if (inHeaders) {
      const header = HEADER_LINE.exec(line);
      if (header !== null && Object.keys(current.headers).length < MAX_HEADERS) {
        const name = (header[1] as string).toLowerCase();
        current.headers[name] = (header[2] ?? '').trim();
        continue;
      }
      if (line.trim() === '' || line.trim() === '<') inHeaders = false;
      continue;
    }
    if (!CURL_NOISE.test(line)) current.body.push(line);
  }
  if (chosen === undefined) return undefined;
  const body = bodyOf(chosen.body.join('\n'));
  return {
    source: 'curl',
    label: chosen.label,
    status: chosen.status,
    headers: chosen.headers,
    ...(body === undefined ? {} : { body }),
    cut: false,
  };
}

/** A Python traceback's final exception, or a Node error line. */
function readException(lines: readonly string[], python: boolean): PastedError | undefined {
  const found: { name: string; message: string }[] = [];
  for (const line of lines) {
    const match = EXCEPTION_LINE.exec(line);
    if (match !== null) found.push({ name: match[1] as string, message: (match[2] ?? '').trim() });
  }
  const withStatus = found.filter((entry) => PYTHON_STATUS.test(entry.message));
  const chosen = withStatus.at(-1) ?? (python ? found.at(-1) : found[0]);
  if (chosen === undefined) return undefined;
  const className = chosen.name.slice(chosen.name.lastIndexOf('.') + 1);
  const base = { label: chosen.name, headers: {}, cut: false } as const;
  const pythonStatus = PYTHON_STATUS.exec(chosen.message);
  if (pythonStatus !== null) {
    const body = bodyOf(pythonStatus[2] ?? '');
    return {
      ...base,
      source: 'python',
      status: Number(pythonStatus[1]),
      ...(body === undefined ? {} : { body }),
    };
  }
  const connection =
    /^(?:APIConnectionError$|ConnectError$|ConnectionError$)/.test(className) ||
    /^Connection error\.?$/.test(chosen.message);
  const timeout = /Timeout(?:Error)?$/.test(className) || /^Request timed out\.?$/.test(chosen.message);
  if (connection || timeout) {
    const code = networkCodeIn(lines);
    return {
      ...base,
      source: python ? 'python' : 'node',
      network: timeout ? 'timeout' : 'connection',
      ...(code === undefined ? {} : { networkCode: code }),
    };
  }
  const nodeStatus = NODE_STATUS.exec(chosen.message);
  const status =
    nodeStatus !== null
      ? Number(nodeStatus[1])
      : Object.hasOwn(PYTHON_CLASS_STATUS, className)
        ? PYTHON_CLASS_STATUS[className]
        : undefined;
  const said = nodeStatus === null ? chosen.message : (nodeStatus[2] ?? '');
  // openai-node prints a body it could not read a message from as JSON after the status
  // (`403 {"code":1,"msg":"…"}`, a relay's own shape): read it as the body it was.
  const body = nodeStatus === null ? undefined : jsonBodyOf(said);
  return {
    ...base,
    source: python ? 'python' : 'node',
    ...(status === undefined ? {} : { status }),
    ...(body === undefined ? { message: capString(said) } : { body }),
  };
}

/** Reads a pasted error. Never throws; a paste it cannot place is read as a bare message. */
export function readPaste(pasted: string): PastedError {
  const cut = pasted.length > PASTE_MAX_CHARS;
  const text = cut
    ? `${pasted.slice(0, PASTE_MAX_CHARS / 2)}\n${pasted.slice(-PASTE_MAX_CHARS / 2)}`
    : pasted;
  const lines = text.split(/\r?\n/);
  const read =
    readCurl(lines) ??
    readException(
      lines,
      lines.some((line) => line.startsWith('Traceback (most recent call last)')),
    );
  if (read !== undefined) return { ...read, cut };
  const trimmed = text.trim();
  const body = jsonBodyOf(trimmed);
  if (body !== undefined) return { source: 'json', headers: {}, body, cut };
  // `403 {…}`: a status and the body, as the SDK's message gives them.
  const withStatus = NODE_STATUS.exec(trimmed);
  const statusBody = withStatus === null ? undefined : jsonBodyOf(withStatus[2] ?? '');
  if (withStatus !== null && statusBody !== undefined)
    return { source: 'json', status: Number(withStatus[1]), headers: {}, body: statusBody, cut };
  return { source: 'text', headers: {}, message: capString(trimmed), cut };
}

/** What `diagnose` is given for a paste; `status` (from `--status`) wins over the paste's own. */
export function diagnoseInput(pasted: PastedError, status?: number): unknown {
  if (pasted.network !== undefined)
    return {
      message: pasted.network === 'timeout' ? 'Request timed out.' : 'Connection error.',
      ...(pasted.networkCode === undefined ? {} : { cause: { code: pasted.networkCode } }),
    };
  const finalStatus = status ?? pasted.status;
  if (pasted.body !== undefined || pasted.source === 'curl')
    return {
      ...(finalStatus === undefined ? {} : { status: finalStatus }),
      headers: pasted.headers,
      ...(pasted.body === undefined ? {} : { body: pasted.body }),
    };
  const message = pasted.message ?? '';
  if (finalStatus === undefined) return message;
  // The SDK's own message format, "<status> <message>", after any status the pasted line already had.
  return `${finalStatus} ${message.replace(/^(?:[A-Za-z]{0,60}Error:\s*)?(?:\d{3}\s+)?/, '')}`;
}

/**
 * Runs Lua scripts on a Redis by their SHA-1, whatever carries the commands: `EVALSHA`, and `EVAL`
 * when the server's script cache has lost the script (a restart, `SCRIPT FLUSH`). A backend gives
 * the three commands (`ScriptCommands`); the bucket store and the budget's spend run their scripts
 * through one `ScriptRunner`, so every backend runs the same scripts the same way.
 */

/** The commands a Redis backend gives for running scripts. */
export interface ScriptCommands {
  /**
   * The SHA-1 by which the server knows `script`: `SCRIPT LOAD`'s answer (one round trip), or
   * computed here (`sha1Hex`; the first `EVAL` after a `NOSCRIPT` puts it in the server's cache).
   */
  scriptSha(script: string): Promise<string>;
  evalsha(sha: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  eval(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** Runs scripts through a backend's commands, remembering each script's SHA-1. */
export class ScriptRunner {
  readonly #commands: () => Promise<ScriptCommands>;
  readonly #shas = new Map<string, Promise<string>>();

  /** `commands` is called for every script run: a backend whose client comes later waits there. */
  constructor(commands: () => Promise<ScriptCommands>) {
    this.#commands = commands;
  }

  /** Runs `script` atomically with these keys and arguments; resolves with the server's reply. */
  async run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const commands = await this.#commands();
    const sha = await this.#sha(commands, script);
    try {
      return await commands.evalsha(sha, keys, args);
    } catch (error) {
      // After a restart the script cache is empty: EVAL runs the script and caches it again.
      if (error instanceof Error && /NOSCRIPT/i.test(error.message)) return commands.eval(script, keys, args);
      throw error;
    }
  }

  #sha(commands: ScriptCommands, script: string): Promise<string> {
    let sha = this.#shas.get(script);
    if (sha === undefined) {
      sha = commands.scriptSha(script).then(String);
      // A failed load is tried again next time.
      sha.catch(() => this.#shas.delete(script));
      this.#shas.set(script, sha);
    }
    return sha;
  }
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The SHA-1 of `text` (UTF-8) as Redis names scripts, 40 lower-case hex digits, with Web Crypto
 * (Node, Bun, Deno and Workers alike; no `node:crypto`).
 */
export async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += hexDigits[byte] as string;
  return hex;
}

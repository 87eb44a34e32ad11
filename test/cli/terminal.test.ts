import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { styleFor, terminalText } from '../../src/cli/output.js';
import { ensureBuilt, httpServer, tierguard, type CliResult, type LocalServer } from './run-cli.js';

beforeAll(ensureBuilt, 60_000);
const open: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
// What a hostile relay or a pasted log could make a terminal do: clear the screen, set the
// window's title, hide the text that follows, ring the bell, overwrite the line.
const HOSTILE = `quota ${ESC}[2J${ESC}]0;pwned${BEL} gone ${ESC}[8mhidden${BEL}\rover`;

function expectInert(result: CliResult): void {
  const output = result.stdout + result.stderr;
  // NO_COLOR is set: not one escape, bell or carriage return reaches the terminal.
  const controls = [...output].filter((character) => {
    const code = character.charCodeAt(0);
    return (code < 32 && character !== '\n' && character !== '\t') || (code >= 0x7f && code <= 0x9f);
  });
  expect(controls).toEqual([]);
  expect(output).not.toContain('pwned');
}

describe('nothing a server or a paste says takes over the terminal', () => {
  it('doctor against a relay whose error message carries control sequences', async () => {
    const relay = await httpServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { message: HOSTILE, type: 'invalid_request_error', code: null } }),
      );
    });
    open.push(relay);
    for (const args of [[], ['--locale', 'zh-CN']]) {
      const result = await tierguard(['doctor', '--base-url', relay.url, ...args], {
        env: { OPENAI_API_KEY: 'sk-test-terminal-0000000000' },
      });
      expect(result.code).toBe(1);
      expectInert(result);
    }
  });

  it('explain, a pasted error with control sequences: shown as escapes, not acted on', async () => {
    const result = await tierguard(['explain', `429 You exceeded your current ${HOSTILE}`]);
    expectInert(result);
    expect(result.stdout).toContain(String.raw`\x1b[2J`);
  });

  it('terminalText keeps the CLI’s own styles and nothing else', () => {
    const style = styleFor({ isTTY: true }, {});
    const styled = `${style.bold('cause')} ${style.red('insufficient_quota')}`;
    expect(terminalText(styled)).toBe(styled);
    expect(terminalText(`a${ESC}[8mb${ESC}[2Jc\r\nd\te`)).toBe(String.raw`a\x1b[8mb\x1b[2Jc` + '\nd\te');
    expect(terminalText(`title ${ESC}]0;x${ESC}\\ end ${ESC}]2;cut`)).toBe('title  end ');
  });
});

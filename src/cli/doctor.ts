/**
 * `tierguard doctor`: the checklist a developer follows by hand (see doctor-checks.ts), against
 * the real API, a relay, or the simulator (`--simulate tier-N`). Never prints a full key.
 */
import { parseArgs } from 'node:util';
import type { Tier } from '../data/tiers.js';
import type { Locale } from '../diagnose/types.js';
import { createSimulator, type Simulator } from '../testing/simulator/simulator.js';
import type { Command } from './command.js';
import { runDoctor, type CheckStatus, type DoctorStep } from './doctor-checks.js';
import { DOCTOR_TEXT } from './doctor-text.js';
import { wrapLines } from './layout.js';
import { parseLocale } from './options.js';
import type { Style } from './output.js';

const HELP = `Usage: tierguard doctor [options]

Walks the checklist of the troubleshooting guides, in their order, and says what to fix:
  1. an API key is set
  2. the network reaches the API (DNS, connection, TLS, no proxy page in between)
  3. the API accepts the key (GET /models)
  4. billing is active and there is credit left (one minimal call, 1 output token)
  5. each --model is reachable on this account (one minimal call each)
  6. the region is served
  7. the rate limits the API reports, and the usage tier they match
Exit code 0 only when every check passes.

Options:
  --model <name>        a model you need (repeat for several; default gpt-4o-mini)
  --base-url <url>      the API or a relay (default: OPENAI_BASE_URL or https://api.openai.com/v1)
  --provider <name>     who serves the base URL: openai, azure or other (default: from the URL;
                        say openai for a gateway or proxy that forwards to OpenAI)
  --simulate <tier>     run against tierguard's simulator of a free, tier-1 … tier-5 account
  --timeout <ms>        per request (default 15000)
  --json                print the result as JSON
  --locale <en|zh-CN>   language of the hints (default en)
  -v, --version         print the version
  -h, --help            show this help

Environment: OPENAI_API_KEY (required, never printed in full), OPENAI_BASE_URL, OPENAI_ORG_ID,
OPENAI_PROJECT_ID.

Examples:
  npx tierguard doctor --model gpt-4o-mini --model gpt-4o
  npx tierguard doctor --simulate free --model gpt-4o-mini --model gpt-4o`;

function mark(status: CheckStatus, style: Style): string {
  if (status === 'pass') return style.green('✓');
  if (status === 'fail') return style.red('✗');
  if (status === 'warn') return style.yellow('!');
  return style.dim('–');
}

/**
 * The checklist as text: one line a check; under a failed check its block (why, numbered steps,
 * the plan, links), printed once — a later check that fails the same way says "as above"; the
 * checks a failure left undecided share one line.
 */
export function renderSteps(steps: readonly DoctorStep[], locale: Locale, style: Style): string {
  const text = DOCTOR_TEXT[locale];
  const lines: string[] = [];
  const printed = new Set<string>();
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index] as DoctorStep;
    if (step.status === 'skip') {
      const names: string[] = [];
      for (; index < steps.length && steps[index]?.status === 'skip'; index += 1) {
        const name = text.checkNames[(steps[index] as DoctorStep).id];
        if (!names.includes(name)) names.push(name);
      }
      index -= 1;
      lines.push(`${mark('skip', style)} ${style.dim(text.notChecked(text.list(names)))}`);
      continue;
    }
    lines.push(`${mark(step.status, style)} ${step.title}`);
    const help = step.help;
    if (step.status !== 'fail' || help === undefined) continue;
    const diagnosis = step.diagnosis;
    const tag =
      step.network === undefined && diagnosis !== undefined
        ? ` ${style.dim(`[${diagnosis.cause}${diagnosis.status === undefined ? '' : `, ${diagnosis.status}`}]`)}`
        : '';
    const block = JSON.stringify([help.why, help.steps]);
    if (printed.has(block)) {
      lines.push(`    ${style.dim(text.sameAsAbove(help.title))}${tag}`);
      if (step.plan !== undefined) lines.push(`    → ${step.plan}`);
      continue;
    }
    printed.add(block);
    if (help.title !== step.title) lines.push(`    ${style.bold(help.title)}${tag}`);
    lines.push(`    ${help.why}`);
    help.steps.forEach((line, number) => lines.push(`    ${number + 1}. ${line}`));
    if (step.plan !== undefined) lines.push(`    → ${step.plan}`);
    for (const link of help.links) lines.push(`    ${style.dim(`${link.label}: ${link.url}`)}`);
  }
  const failed = steps.filter((step) => step.status === 'fail').length;
  lines.push('', failed === 0 ? style.green(text.summaryOk) : style.red(text.summaryFail(failed)));
  return lines.join('\n');
}

/** The `doctor` command. */
export const doctor: Command = {
  summary: 'check key, network, billing, models, region and limits, in the guides’ order',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', multiple: true, default: [] },
        'base-url': { type: 'string' },
        simulate: { type: 'string' },
        provider: { type: 'string' },
        timeout: { type: 'string', default: '15000' },
        json: { type: 'boolean', default: false },
        locale: { type: 'string', default: 'en' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const locale = parseLocale('doctor', values.locale, io);
    if (locale === undefined) return 2;
    const timeoutMs = Number(values.timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      io.err(
        `tierguard doctor: --timeout must be a positive number of milliseconds, got ${JSON.stringify(values.timeout)}\n`,
      );
      return 2;
    }
    const provider = values.provider;
    if (provider !== undefined && provider !== 'openai' && provider !== 'azure' && provider !== 'other') {
      io.err(
        `tierguard doctor: --provider must be openai, azure or other, got ${JSON.stringify(provider)}\n`,
      );
      return 2;
    }
    let simulator: Simulator | undefined;
    let baseURL = values['base-url'] ?? io.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    let apiKey = io.env.OPENAI_API_KEY;
    if (values.simulate !== undefined) {
      const tier = values.simulate === 'free' ? 'free' : /^(?:tier-)?([1-5])$/.exec(values.simulate)?.[1];
      if (tier === undefined) {
        io.err(
          `tierguard doctor: --simulate must be free or tier-1 … tier-5, got ${JSON.stringify(values.simulate)}\n`,
        );
        return 2;
      }
      const simulated: Tier = tier === 'free' ? 'free' : (`tier-${tier}` as Tier);
      simulator = await createSimulator({ tier: simulated });
      baseURL = simulator.baseURL;
      apiKey = 'sk-simulated-0000000000000000';
      if (!values.json)
        io.out(
          `${DOCTOR_TEXT[locale].simulated(simulated === 'free' ? 'Free' : `Tier ${simulated.slice(5)}`)}\n\n`,
        );
    }
    try {
      const steps = await runDoctor({
        baseURL,
        apiKey,
        organization: io.env.OPENAI_ORG_ID,
        project: io.env.OPENAI_PROJECT_ID,
        models: values.model,
        timeoutMs,
        locale,
        // The simulator is OpenAI's double.
        ...(provider !== undefined
          ? { provider }
          : simulator === undefined
            ? {}
            : { provider: 'openai' as const }),
      });
      const ok = steps.every((step) => step.status !== 'fail');
      io.out(
        values.json
          ? `${JSON.stringify({ ok, baseURL, steps }, null, 2)}\n`
          : `${wrapLines(renderSteps(steps, locale, io.style), io.columns)}\n`,
      );
      return ok ? 0 : 1;
    } finally {
      await simulator?.close();
    }
  },
};

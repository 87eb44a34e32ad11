/**
 * `tierguard simulate`: runs the simulator as a server until interrupted, for trying a service
 * against an account of any tier and state without a key.
 */
import { parseArgs } from 'node:util';
import { TIERS, type Tier } from '../data/tiers.js';
import { createSimulator, type SimulatorAccount } from '../testing/simulator/simulator.js';
import { FAULT_KINDS, type FaultKind, type FaultRule } from '../testing/simulator/faults.js';
import type { Command } from './command.js';

const FAULTS: readonly FaultKind[] = FAULT_KINDS;

const HELP = `Usage: tierguard simulate [options]

Runs an OpenAI-compatible server on 127.0.0.1 that behaves like the API for the account you
describe. Point a client at it: new OpenAI({ baseURL: '<printed URL>', apiKey: 'any' }).

Options:
  --tier <tier>          free, tier-1 … tier-5 (default tier-1)
  --port <n>             port (default: a free one)
  --window-ms <n>        length of a "minute" in ms (default 60000)
  --latency-ms <n>       added to every answer (default 0)
  --credit <usd>         prepaid credit; 0 answers insufficient_quota
  --spend-limit <usd>    the organization's hard spend limit
  --no-billing           billing not active
  --region-blocked       answer 403 unsupported_country_region_territory
  --unverified           organization not verified
  --api-key <key>        accept only this key
  --fault <kind[:rate]>  inject a fault (repeatable): ${FAULTS.join(', ')}
  -v, --version          print the version
  -h, --help             show this help`;

/** The `simulate` command. */
export const simulate: Command = {
  summary: 'run an OpenAI-compatible simulator of any tier on 127.0.0.1',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        tier: { type: 'string', default: 'tier-1' },
        port: { type: 'string', default: '0' },
        'window-ms': { type: 'string', default: '60000' },
        'latency-ms': { type: 'string', default: '0' },
        credit: { type: 'string' },
        'spend-limit': { type: 'string' },
        'no-billing': { type: 'boolean', default: false },
        'region-blocked': { type: 'boolean', default: false },
        unverified: { type: 'boolean', default: false },
        'api-key': { type: 'string' },
        fault: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const fail = (message: string): number => {
      io.err(`tierguard simulate: ${message}\n`);
      return 2;
    };
    const tier = TIERS.find((candidate) => candidate === values.tier || candidate === `tier-${values.tier}`);
    if (tier === undefined)
      return fail(`--tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(values.tier)}`);
    const number = (name: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (!Number.isFinite(value) || value < 0)
        throw new Error(`--${name} must be a number ≥ 0, got ${JSON.stringify(text)}`);
      return value;
    };
    let faults: FaultRule[];
    let account: SimulatorAccount;
    let port: number;
    let windowMs: number;
    let latencyMs: number;
    try {
      faults = values.fault.map((spec) => {
        const [kind, rate] = spec.split(':');
        if (!FAULTS.includes(kind as FaultKind))
          throw new Error(`--fault must be one of ${FAULTS.join(', ')}, got ${JSON.stringify(kind)}`);
        const probability = number('fault rate', rate);
        return { fault: kind as FaultKind, ...(probability === undefined ? {} : { rate: probability }) };
      });
      const credit = number('credit', values.credit);
      const spendLimit = number('spend-limit', values['spend-limit']);
      account = {
        ...(credit === undefined ? {} : { creditUsd: credit }),
        ...(spendLimit === undefined ? {} : { spendLimitUsd: spendLimit }),
        ...(values['no-billing'] ? { billingActive: false } : {}),
        ...(values['region-blocked'] ? { regionSupported: false } : {}),
        ...(values.unverified ? { organizationVerified: false } : {}),
      };
      port = number('port', values.port) ?? 0;
      windowMs = number('window-ms', values['window-ms']) ?? 60_000;
      latencyMs = number('latency-ms', values['latency-ms']) ?? 0;
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
    const simulator = await createSimulator({
      tier: tier as Tier,
      port,
      windowMs,
      latencyMs,
      account,
      faults,
      ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
    });
    io.out(`tierguard simulator (${tier}) listening on ${simulator.baseURL}\nPress Ctrl+C to stop.\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const stats = simulator.stats();
    await simulator.close();
    io.out(
      `\nserved ${stats.served} of ${stats.requests} requests; ${stats.rateLimited.total} answered 429\n`,
    );
    return 0;
  },
};

/**
 * Runs a simulator in its own process for the benchmark, so that the measured client process does
 * not share its event loop with the server. Prints the base URL, then serves until killed.
 * Options come as one JSON argument (SimulatorOptions); `stats` requests are answered on stdin.
 */
import { createInterface } from 'node:readline';
import { createSimulator, type SimulatorOptions } from '../src/testing/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const simulator = await createSimulator(options);
process.stdout.write(`${JSON.stringify({ baseURL: simulator.baseURL })}\n`);
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line) as {
    op: 'stats' | 'reset' | 'close' | 'account';
    patch?: Record<string, unknown>;
  };
  if (command.op === 'stats') process.stdout.write(`${JSON.stringify(simulator.stats())}\n`);
  if (command.op === 'reset') {
    simulator.resetStats();
    process.stdout.write('{}\n');
  }
  if (command.op === 'account') {
    simulator.setAccount(command.patch ?? {});
    process.stdout.write('{}\n');
  }
  if (command.op === 'close') break;
}
await simulator.close();
process.exit(0);

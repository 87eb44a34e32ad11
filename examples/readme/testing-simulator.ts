import OpenAI from 'openai';
import { createGuard, diagnose } from 'tierguard';
import { createSimulator } from 'tierguard/testing';

// A whole account on 127.0.0.1: its tier's limits, credit, region, verification, faults.
const sim = await createSimulator({ tier: 'free', account: { creditUsd: 0 } });
const guard = createGuard();
const client = guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL }));

const error = await client.chat.completions
  .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
  .catch((caught: unknown) => caught);
console.log(diagnose(error).cause, 'after', sim.stats().requests, 'request'); // insufficient_quota, sent once

await guard.close();
await sim.close();

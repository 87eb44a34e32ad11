/**
 * Metrics through OpenTelemetry and logs through the logger you already have. The meter here is
 * the SDK's with an in-memory exporter so that the example can print what it recorded; a service
 * passes the meter of the provider it exports with (OTLP, Prometheus…), or `metrics: true`.
 * Runs against tierguard's simulator (a free-tier account on 127.0.0.1, its minute scaled to two
 * seconds): no key, no network.
 *
 *   npx tsx examples/metrics-and-logs.ts
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import OpenAI from 'openai';
import { createGuard } from '../src/index.js';
import { createSimulator } from '../src/testing/index.js';

// The free tier allows gpt-4o-mini 3 requests a minute (here, every two seconds), and no gpt-4o.
const sim = await createSimulator({ tier: 'free', windowMs: 2_000 });

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
const provider = new MeterProvider({ readers: [reader] });

const guard = createGuard({
  tier: 'free',
  windowMs: 2_000,
  meter: provider.getMeter('tierguard'),
  // `console` or pino: one line per retry, fallback or failed call (`logLevel: 'debug'`: every event).
  logger: console,
  logLevel: 'info',
});
const client = guard.wrap(new OpenAI({ apiKey: 'sk-example-not-a-real-key', baseURL: sim.baseURL }));
const ask = (model: string) =>
  client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'One sentence about rivers.' }],
    max_tokens: 40,
  });

// A burst of six: three go at once, three wait for the window to refill.
await Promise.all(Array.from({ length: 6 }, () => ask('gpt-4o-mini')));
// A model the free tier cannot reach fails once, logged with its diagnosis.
await ask('gpt-4o').catch(() => undefined);

await reader.forceFlush();
const points = exporter
  .getMetrics()
  .at(-1)
  ?.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      metric.dataPoints.map((point) => ({ name: metric.descriptor.name, point })),
    ),
  );
for (const name of ['tierguard.calls', 'tierguard.throttled', 'tierguard.queue.wait', 'tierguard.tokens']) {
  for (const { point } of points?.filter((entry) => entry.name === name) ?? []) {
    const value =
      typeof point.value === 'number' ? point.value : `${(point.value as { count: number }).count} recorded`;
    const attributes = Object.entries(point.attributes)
      .filter(([key]) => key !== 'limit_key')
      .map(([key, text]) => `${key}=${String(text)}`)
      .join(' ');
    console.log(`${name} {${attributes}} ${value}`);
  }
}

await guard.close();
await provider.shutdown();
await sim.close();

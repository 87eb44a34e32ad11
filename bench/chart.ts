/**
 * An SVG chart of tokens per second over time, one line per strategy, against the limit.
 */

/** One strategy's line. */
export interface Series {
  readonly label: string;
  /** [seconds since start, tokens per second] */
  readonly points: readonly (readonly [number, number])[];
}

const COLORS = ['#9e9e9e', '#bdbdbd', '#ff9800', '#8d6e63', '#1976d2', '#2e7d32', '#7b1fa2', '#c62828'];

/** Tokens served per second, in `bucketMs` buckets, from a simulator timeline. */
export function tokensPerSecond(
  timeline: readonly { atMs: number; status: number; tokens: number }[],
  bucketMs: number,
): [number, number][] {
  if (timeline.length === 0) return [];
  const start = timeline[0]?.atMs ?? 0;
  const buckets = new Map<number, number>();
  for (const entry of timeline) {
    if (entry.status !== 200) continue;
    const bucket = Math.floor((entry.atMs - start) / bucketMs);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + entry.tokens);
  }
  const last = Math.max(...buckets.keys(), 0);
  const points: [number, number][] = [];
  for (let bucket = 0; bucket <= last; bucket += 1)
    points.push([(bucket * bucketMs) / 1_000, ((buckets.get(bucket) ?? 0) * 1_000) / bucketMs]);
  return points;
}

/** Renders the chart. */
export function renderChart(series: readonly Series[], limitPerSecond: number, title: string): string {
  const width = 900;
  const height = 420;
  const margin = { left: 70, right: 230, top: 40, bottom: 50 };
  const maxX = Math.max(1, ...series.flatMap((line) => line.points.map(([x]) => x)));
  const maxY = Math.max(limitPerSecond * 1.6, ...series.flatMap((line) => line.points.map(([, y]) => y)));
  const x = (value: number): number => margin.left + (value / maxX) * (width - margin.left - margin.right);
  const y = (value: number): number =>
    height - margin.bottom - (value / maxY) * (height - margin.top - margin.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left}" y="22" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${margin.left}" y1="${y(0)}" x2="${width - margin.right}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${margin.left}" y1="${y(0)}" x2="${margin.left}" y2="${margin.top}" stroke="#333"/>`,
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">seconds</text>`,
    `<text x="16" y="${(margin.top + height - margin.bottom) / 2}" transform="rotate(-90 16 ${(margin.top + height - margin.bottom) / 2})" text-anchor="middle">tokens served per second</text>`,
  ];
  for (let tick = 0; tick <= 5; tick += 1) {
    const valueX = (maxX * tick) / 5;
    const valueY = (maxY * tick) / 5;
    parts.push(`<text x="${x(valueX)}" y="${y(0) + 16}" text-anchor="middle">${valueX.toFixed(0)}</text>`);
    parts.push(
      `<text x="${margin.left - 6}" y="${y(valueY) + 4}" text-anchor="end">${Math.round(valueY).toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" y1="${y(limitPerSecond)}" x2="${width - margin.right}" y2="${y(limitPerSecond)}" stroke="#d32f2f" stroke-dasharray="6 4"/>`,
  );
  parts.push(
    `<text x="${width - margin.right + 6}" y="${y(limitPerSecond) + 4}" fill="#d32f2f">TPM limit</text>`,
  );
  series.forEach((line, index) => {
    const color = COLORS[index % COLORS.length] as string;
    const path = line.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="${line.label.startsWith('tierguard') ? 2.5 : 1.5}" points="${path}"/>`,
    );
    parts.push(
      `<rect x="${width - margin.right + 8}" y="${margin.top + 30 + index * 20}" width="14" height="4" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${width - margin.right + 28}" y="${margin.top + 35 + index * 20}">${line.label}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

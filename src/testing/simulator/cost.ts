/**
 * What a served call costs at the simulator's prices: per image (by size and quality) for image
 * models, per million prompt and completion tokens for the rest.
 */
import type { CatalogueEntry } from './catalogue.js';

/** The price of a served call, USD. */
export function costUsd(
  entry: CatalogueEntry,
  promptTokens: number,
  completionTokens: number,
  images: number,
  body: Readonly<Record<string, unknown>>,
): number {
  if (entry.kind === 'image') {
    // Per-image prices by size and quality (Table 6); `auto` counted as medium / standard.
    const prices = entry.imagePrice?.perImage;
    if (prices === undefined) return 0;
    const size = typeof body.size === 'string' && body.size !== 'auto' ? body.size : '1024x1024';
    const quality =
      typeof body.quality === 'string' && body.quality !== 'auto'
        ? body.quality
        : entry.family.startsWith('dall-e')
          ? 'standard'
          : 'medium';
    const each =
      prices[`${size}/${quality}`] ?? prices['1024x1024/standard'] ?? prices['1024x1024/medium'] ?? 0;
    return each * images;
  }
  const price = entry.tokenPrice;
  if (price === undefined) return 0;
  return (
    (promptTokens * price.inputPerMillion + completionTokens * (price.outputPerMillion ?? 0)) / 1_000_000
  );
}

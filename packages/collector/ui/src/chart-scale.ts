// Axis arithmetic for the inline SVG charts, kept apart from the drawing so it can be tested
// without a browser.

/** The smallest "round" number (1, 2, 5 × 10^k) at or above `max`, and at least 1. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 1) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * exp >= max) return step * exp;
  }
  return 10 * exp;
}

/** Integer ticks from 0 to `max` in round steps (1, 2, 5 × 10^k), at most `count + 1` of them. */
export function ticks(max: number, count = 4): number[] {
  const step = niceMax(max / count);
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}

export interface StackedLayer {
  key: string;
  /** Upper edge of this layer at each x; the lower edge is the previous layer's upper edge. */
  tops: number[];
}

/** Cumulative tops for a stacked area chart, first key at the bottom. */
export function stack<K extends string>(rows: Record<K, number>[], keys: readonly K[]): StackedLayer[] {
  const running = rows.map(() => 0);
  return keys.map((key) => ({
    key,
    tops: rows.map((row, i) => {
      const v = Number(row[key]) || 0;
      running[i] = (running[i] ?? 0) + Math.max(0, v);
      return running[i] ?? 0;
    }),
  }));
}

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
/** The window shown at least, and at most, per bucket size. */
const WINDOW = { hour: { min: 48, max: 24 * 31 }, day: { min: 14, max: 366 } } as const;

/**
 * The collector returns only buckets that have occurrences (UTC-aligned). A chart reads right
 * only with the empty buckets too, up to now: zero-fill a window that ends at the current bucket
 * and reaches back to the oldest point, within the bounds above.
 */
export function fillBuckets(
  series: readonly { at: string; count: number }[],
  bucket: 'hour' | 'day',
  now: number,
): { at: string; count: number }[] {
  const size = BUCKET_MS[bucket];
  const counts = new Map<number, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Math.floor(now / size) * size;
  for (const p of series) {
    const t = Date.parse(p.at);
    if (Number.isNaN(t)) continue;
    const b = Math.floor(t / size) * size;
    counts.set(b, (counts.get(b) ?? 0) + p.count);
    first = Math.min(first, b);
    last = Math.max(last, b);
  }
  const { min, max } = WINDOW[bucket];
  let start = Math.min(first, last - (min - 1) * size);
  start = Math.max(start, last - (max - 1) * size);
  const out: { at: string; count: number }[] = [];
  for (let b = start; b <= last; b += size)
    out.push({ at: new Date(b).toISOString(), count: counts.get(b) ?? 0 });
  return out;
}

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

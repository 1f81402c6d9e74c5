// Two small inline SVG charts: occurrences per bucket (bars) and open findings by severity over
// time (stacked areas). Each carries a text summary for screen readers and a <title> per mark.

import { fillBuckets, niceMax, stack, ticks } from './chart-scale.js';
import { h, s } from './dom.js';
import { count, SEVERITIES, severityLabel } from './format.js';
import type { SeverityPoint } from './types.js';

/** Drawing size in user units; the SVG scales to its box, so this sets text size relative to it. */
export interface ChartSize {
  width: number;
  height: number;
}

const PAD = { right: 12, top: 12, bottom: 26 };

/** The plot area; the left margin grows with the widest y label (about 7 units a character). */
class Frame {
  readonly left: number;
  readonly plotW: number;
  readonly plotH: number;
  constructor(
    readonly size: ChartSize,
    readonly max: number,
  ) {
    this.left = 14 + 7 * count(max).length;
    this.plotW = size.width - this.left - PAD.right;
    this.plotH = size.height - PAD.top - PAD.bottom;
  }
}

/** Buckets are UTC days and hours, so their labels are too. */
function shortDate(iso: string, withHour: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const md = `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
  return withHour ? `${md} ${String(d.getUTCHours()).padStart(2, '0')}h` : md;
}

function axes(f: Frame, labels: { x: number; text: string }[]): SVGGElement {
  const g = s('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const t of ticks(f.max, f.plotH < 100 ? 2 : 4)) {
    const y = PAD.top + f.plotH - (t / f.max) * f.plotH;
    g.append(
      s('line', { x1: f.left, x2: f.size.width - PAD.right, y1: y, y2: y, class: 'grid' }),
      s('text', { x: f.left - 6, y: y + 4, 'text-anchor': 'end' }, count(t)),
    );
  }
  for (const l of labels) {
    g.append(s('text', { x: l.x, y: f.size.height - 8, 'text-anchor': 'middle' }, l.text));
  }
  return g;
}

/** Evenly spaced x labels, about one per 110 units of width, whatever the number of points. */
function labelIndexes(n: number, width: number): number[] {
  if (n === 0) return [];
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(width / 110))));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  return out;
}

export function occurrenceChart(
  raw: { at: string; count: number }[],
  bucket: 'hour' | 'day',
  size: ChartSize = { width: 360, height: 150 },
): Element {
  if (raw.length === 0) return h('p', { class: 'muted' }, 'No occurrences recorded.');
  const series = fillBuckets(raw, bucket, Date.now());
  const total = series.reduce((a, p) => a + p.count, 0);
  const peak = series.reduce((m, p) => Math.max(m, p.count), 0);
  const max = niceMax(peak);
  const f = new Frame(size, max);
  const slot = f.plotW / series.length;
  const barW = Math.max(1, slot * 0.7);
  const withHour = bucket === 'hour';
  const svg = s('svg', {
    viewBox: `0 0 ${size.width} ${size.height}`,
    class: 'chart',
    role: 'img',
    'aria-label': `Occurrences per ${bucket} (UTC): ${count(total)} in the last ${series.length} ${bucket}s, at most ${count(peak)} in one ${bucket}.`,
  });
  svg.append(
    axes(
      f,
      labelIndexes(series.length, size.width).map((i) => ({
        x: f.left + slot * i + slot / 2,
        text: shortDate(series[i]?.at ?? '', withHour),
      })),
    ),
  );
  const bars = s('g', { class: 'bars' });
  series.forEach((p, i) => {
    const bh = (p.count / max) * f.plotH;
    bars.append(
      s(
        'rect',
        {
          x: f.left + slot * i + (slot - barW) / 2,
          y: PAD.top + f.plotH - bh,
          width: barW,
          height: Math.max(bh, p.count > 0 ? 1 : 0),
        },
        s('title', {}, `${shortDate(p.at, withHour)}: ${count(p.count)}`),
      ),
    );
  });
  svg.append(bars);
  return svg;
}

/**
 * Stacked bars, one per day, critical at the base where it is easiest to compare. Bars rather
 * than areas: a finding that appeared today is a visible bar, not a sliver at the edge.
 */
export function severityChart(
  series: SeverityPoint[],
  size: ChartSize = { width: 1100, height: 170 },
): Element {
  if (series.length === 0) return h('p', { class: 'muted' }, 'No history yet.');
  const layers = stack(series, SEVERITIES);
  const top = layers[layers.length - 1]?.tops ?? [];
  const max = niceMax(Math.max(0, ...top));
  const f = new Frame(size, max);
  const n = series.length;
  const slot = f.plotW / n;
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number) => PAD.top + f.plotH - (v / max) * f.plotH;
  const last = series[n - 1];
  const summary = last
    ? `Open findings by severity over ${n} days; now ${SEVERITIES.map((k) => `${count(last[k])} ${k}`).join(', ')}.`
    : '';
  const svg = s('svg', {
    viewBox: `0 0 ${size.width} ${size.height}`,
    class: 'chart',
    role: 'img',
    'aria-label': summary,
  });
  svg.append(
    axes(
      f,
      labelIndexes(n, size.width).map((i) => ({
        x: f.left + slot * i + slot / 2,
        text: shortDate(series[i]?.at ?? '', false),
      })),
    ),
  );
  series.forEach((point, i) => {
    const g = s(
      'g',
      { class: 'day' },
      s(
        'title',
        {},
        `${shortDate(point.at, false)}: ${SEVERITIES.map((k) => `${count(point[k])} ${k}`).join(', ')}`,
      ),
    );
    let base = 0;
    for (const layer of layers) {
      const topV = layer.tops[i] ?? 0;
      if (topV > base) {
        g.append(
          s('rect', {
            x: f.left + slot * i + (slot - barW) / 2,
            y: y(topV),
            width: barW,
            height: Math.max(1, y(base) - y(topV)),
            class: `area sev-${layer.key}`,
          }),
        );
      }
      base = topV;
    }
    svg.append(g);
  });
  return svg;
}

export function severityLegend(): Element {
  return h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    SEVERITIES.map((k) => h('li', {}, h('span', { class: `swatch sev-${k}` }), severityLabel(k))),
  );
}

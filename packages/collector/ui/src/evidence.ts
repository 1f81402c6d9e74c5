// Evidence as the sink saw it: tainted parts highlighted and linked to the source they came
// from, redacted parts shown as such (never reconstructed), the rest as plain text.

import { h } from './dom.js';
import type { Evidence, SourceRef, ValuePart } from './types.js';

export function sourceAnchor(index: number): string {
  return `source-${index}`;
}

export function sourceTitle(src: SourceRef | undefined, index: number): string {
  if (!src) return `Source ${index + 1} (not reported)`;
  return src.name ? `${src.origin} “${src.name}”` : src.origin;
}

function redactedText(part: ValuePart): string {
  // The agent sends a pattern of the original length for redacted tainted text; show its
  // length without its content.
  const len = part.pattern?.length ?? part.value?.length ?? 8;
  return '•'.repeat(Math.min(Math.max(len, 3), 24));
}

export function evidenceBlock(evidence: Evidence, sources: SourceRef[]): HTMLElement {
  const parts = evidence.valueParts;
  if (!parts || parts.length === 0) {
    if (evidence.truncated) {
      return h(
        'p',
        { class: 'muted' },
        'The tracer dropped the evidence: its report exceeded the size limit (MAX_SIZE_EXCEEDED).',
      );
    }
    if (evidence.value === undefined || evidence.value === null) {
      return h('p', { class: 'muted' }, 'No evidence value was reported for this finding.');
    }
    return h('pre', { class: 'evidence mono', tabindex: 0, 'aria-label': 'Evidence' }, evidence.value);
  }
  const pre = h('pre', { class: 'evidence mono', 'aria-label': 'Evidence', tabindex: 0 });
  for (const part of parts) {
    const tainted = typeof part.source === 'number';
    if (part.redacted) {
      const title = tainted
        ? `Redacted, from ${sourceTitle(sources[part.source as number], part.source as number)}`
        : 'Redacted';
      const el = h(
        'span',
        { class: tainted ? 'redacted tainted' : 'redacted', title, 'aria-label': title },
        redactedText(part),
      );
      pre.append(tainted ? linkToSource(el, part.source as number) : el);
    } else if (tainted) {
      const idx = part.source as number;
      const title = `From ${sourceTitle(sources[idx], idx)}`;
      pre.append(linkToSource(h('mark', { class: `tainted src-${idx % 6}`, title }, part.value ?? ''), idx));
    } else {
      pre.append(part.value ?? '');
    }
    if (part.truncated)
      pre.append(h('span', { class: 'cut', title: 'Cut at the collector size limit' }, '…'));
  }
  return pre;
}

function linkToSource(el: HTMLElement, index: number): HTMLElement {
  return h('a', { href: `#${sourceAnchor(index)}`, class: 'to-source', 'data-source': index }, el);
}

export function sourcesList(sources: SourceRef[]): HTMLElement {
  // Configuration checks (weak hash, cookies, headers) have none; a tracer may also omit them.
  if (sources.length === 0)
    return h('p', { class: 'muted' }, 'No tainted source was reported with this finding.');
  return h(
    'ol',
    { class: 'sources' },
    sources.map((src, i) =>
      h(
        'li',
        { id: sourceAnchor(i), tabindex: -1 },
        h('span', { class: `swatch-src src-${i % 6}`, 'aria-hidden': 'true' }),
        h('span', { class: 'origin mono' }, src.origin),
        src.name ? h('span', { class: 'src-name mono' }, src.name) : null,
        src.redacted
          ? h('span', { class: 'redacted', title: 'Redacted' }, 'redacted')
          : src.value !== undefined && src.value !== null
            ? h('code', { class: 'src-value' }, src.value)
            : null,
      ),
    ),
  );
}

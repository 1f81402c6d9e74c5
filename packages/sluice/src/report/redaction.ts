/**
 * Evidence redaction (on by default). A part of the evidence is redacted when it is
 * sensitive: text matching the value pattern (tokens, JWTs, keys, e-mails...), text a
 * per-type tokenizer marks as data rather than structure (SQL literals, command arguments,
 * LDAP filter values, URL userinfo and query values), or text tainted by a source whose name
 * matches the name pattern (`password`, `token`...). A source any of whose text is redacted
 * has its value withheld too, so that the secret does not leak through `sources`.
 */
import type { Range, Source } from '../taint/types.js';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ValuePart =
  | { readonly value: string; readonly source?: number }
  | { readonly redacted: true; readonly source?: number; readonly pattern?: string };

export interface RedactionOptions {
  readonly enabled: boolean;
  readonly namePattern: RegExp;
  readonly valuePattern: RegExp;
}

function matches(re: RegExp, text: string, group = 0): Span[] {
  const out: Span[] = [];
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (const m of text.matchAll(global)) {
    if (m.index === undefined) continue;
    const whole = m[0];
    const part = m[group];
    if (part === undefined || part === '') continue;
    const start = m.index + (group === 0 ? 0 : whole.indexOf(part));
    out.push({ start, end: start + part.length });
  }
  return out;
}

const SQL_LITERALS = /'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|\b\d+(?:\.\d+)?\b|--[^\n]*|\/\*[\s\S]*?\*\//;
const LDAP_VALUES = /\(\s*[^=()~<>\s]+\s*[~<>]?=\s*([^)]+)\)/;
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]+)@/i;
const URL_QUERY_VALUES = /[?&][^=&#]*=([^&#]+)/;

/** Per-type tokenizers: the parts of the evidence that are data, not structure. */
export function sensitiveByType(type: string, value: string): Span[] {
  switch (type) {
    case 'SQL_INJECTION':
      return matches(SQL_LITERALS, value);
    case 'COMMAND_INJECTION': {
      // The command itself stays visible; every argument is redacted.
      const first = /^\s*\S+/.exec(value);
      const from = first ? first[0].length : 0;
      return matches(/\S+/, value.slice(from)).map((s) => ({ start: s.start + from, end: s.end + from }));
    }
    case 'LDAP_INJECTION':
      return matches(LDAP_VALUES, value, 1);
    case 'SSRF':
    case 'UNVALIDATED_REDIRECT':
      return [...matches(URL_USERINFO, value, 1), ...matches(URL_QUERY_VALUES, value, 1)];
    default:
      return [];
  }
}

export function isSensitiveSource(source: Source, options: RedactionOptions): boolean {
  return options.namePattern.test(source.name) || options.valuePattern.test(source.value);
}

function overlaps(a: Span, list: readonly Span[]): boolean {
  return list.some((s) => s.start < a.end && a.start < s.end);
}

export interface RedactedEvidence {
  readonly valueParts: ValuePart[];
  /** Indexes (into the caller's sources list) whose value must be withheld. */
  readonly redactedSources: ReadonlySet<number>;
}

/**
 * Splits `value` into parts at the tainted ranges' bounds and the sensitive spans' bounds;
 * `sourceIndex` gives each range's index in the report's `sources` list.
 */
export function toValueParts(
  type: string,
  value: string,
  ranges: readonly Range[],
  sourceIndex: (source: Source) => number,
  options: RedactionOptions,
): RedactedEvidence {
  const sensitive: Span[] = [];
  if (options.enabled) {
    sensitive.push(...sensitiveByType(type, value), ...matches(options.valuePattern, value));
    for (const r of ranges) if (isSensitiveSource(r.source, options)) sensitive.push(r);
  }
  const cuts = new Set<number>([0, value.length]);
  for (const r of ranges) cuts.add(r.start).add(r.end);
  for (const s of sensitive) cuts.add(s.start).add(s.end);
  const points = [...cuts].filter((c) => c >= 0 && c <= value.length).sort((a, b) => a - b);
  const parts: ValuePart[] = [];
  const redactedSources = new Set<number>();
  for (let i = 0; i + 1 < points.length; i++) {
    const span = { start: points[i] as number, end: points[i + 1] as number };
    if (span.start === span.end) continue;
    const range = ranges.find((r) => r.start <= span.start && span.end <= r.end);
    const source = range ? sourceIndex(range.source) : undefined;
    const text = value.slice(span.start, span.end);
    const last = parts[parts.length - 1];
    if (options.enabled && overlaps(span, sensitive)) {
      if (source !== undefined) redactedSources.add(source);
      // Adjacent redacted pieces of one origin read as one.
      if (last && 'redacted' in last && last.source === source) continue;
      parts.push(source === undefined ? { redacted: true } : { redacted: true, source });
    } else if (last && 'value' in last && last.source === source) {
      parts[parts.length - 1] =
        source === undefined ? { value: last.value + text } : { value: last.value + text, source };
    } else {
      parts.push(source === undefined ? { value: text } : { value: text, source });
    }
  }
  return { valueParts: parts, redactedSources };
}

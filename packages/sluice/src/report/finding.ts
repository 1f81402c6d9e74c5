/** The Finding model and its rendering into Datadog's `_dd.iast.json` report format. */
import type { Range, Source } from '../taint/types.js';
import type { VulnerabilityType } from '../vulnerability-types.js';
import type { Severity } from './catalog.js';
import type { Frame, Location } from './location.js';
import { type RedactionOptions, toValueParts, type ValuePart } from './redaction.js';

export interface Evidence {
  /** The sink's value (or the analyzer's evidence text); absent for some header checks. */
  readonly value?: string | undefined;
  /** Tainted parts of `value`, with their sources. */
  readonly ranges?: readonly Range[] | undefined;
}

export interface Finding {
  readonly type: VulnerabilityType;
  readonly severity: Severity;
  readonly cwe: number;
  readonly hash: number;
  readonly evidence: Evidence;
  readonly location: Location | undefined;
  /** Id of this finding's stack in meta_struct["_dd.stack"].vulnerability, when captured. */
  readonly stackId: string | undefined;
  readonly frames: readonly Frame[] | undefined;
}

export type ReportedSource =
  | { origin: string; name: string; value: string }
  | { origin: string; name: string; redacted: true; pattern: string };

export interface IastReport {
  sources: ReportedSource[];
  vulnerabilities: Array<{
    type: string;
    hash: number;
    severity: Severity;
    cwe: number;
    evidence: { value?: string; valueParts?: ValuePart[] };
    location: Record<string, unknown>;
  }>;
}

/** Renders findings as the `_dd.iast.json` object; sources are shared and indexed. */
export function toIastReport(
  findings: readonly Finding[],
  spanId: bigint,
  redaction: RedactionOptions,
): IastReport {
  const sources: Source[] = [];
  const redacted = new Set<number>();
  const indexOf = (source: Source): number => {
    let i = sources.findIndex(
      (s) =>
        s === source || (s.origin === source.origin && s.name === source.name && s.value === source.value),
    );
    if (i === -1) i = sources.push(source) - 1;
    return i;
  };
  const vulnerabilities = findings.map((f) => {
    let evidence: { value?: string; valueParts?: ValuePart[] } = {};
    if (f.evidence.value !== undefined) {
      if (f.evidence.ranges && f.evidence.ranges.length > 0) {
        const parts = toValueParts(f.type, f.evidence.value, f.evidence.ranges, indexOf, redaction);
        for (const i of parts.redactedSources) redacted.add(i);
        evidence = { valueParts: parts.valueParts };
      } else evidence = { value: f.evidence.value };
    }
    const location: Record<string, unknown> = { spanId: Number(BigInt.asUintN(53, spanId)) };
    if (f.location) {
      location.path = f.location.path;
      location.line = f.location.line;
      location.column = f.location.column;
      if (f.location.method) location.method = f.location.method;
      if (f.location.class) location.class = f.location.class;
    }
    if (f.stackId !== undefined) location.stackId = f.stackId;
    return { type: f.type, hash: f.hash, severity: f.severity, cwe: f.cwe, evidence, location };
  });
  return {
    sources: sources.map((s, i) =>
      redacted.has(i) ||
      (redaction.enabled && (redaction.namePattern.test(s.name) || redaction.valuePattern.test(s.value)))
        ? { origin: s.origin, name: s.name, redacted: true as const, pattern: '*'.repeat(s.value.length) }
        : { origin: s.origin, name: s.name, value: s.value },
    ),
    vulnerabilities,
  };
}

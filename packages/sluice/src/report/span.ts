/**
 * Spans in the Datadog v0.4 trace format: the service-entry span of an analysed request,
 * and a standalone span of type `vulnerability` for findings outside any request.
 */
import { randomFillSync } from 'node:crypto';
import type { Finding } from './finding.js';
import { toIastReport } from './finding.js';
import type { RedactionOptions } from './redaction.js';

export interface TraceSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  name: string;
  service: string;
  resource: string;
  type: string;
  /** Nanoseconds since the epoch. */
  start: bigint;
  /** Nanoseconds. */
  duration: bigint;
  error: 0 | 1;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  /** Values are plain objects, msgpack-encoded into binaries by the exporter. */
  meta_struct?: Record<string, unknown>;
}

export interface SpanDefaults {
  readonly service: string;
  readonly env: string | undefined;
  readonly version: string | undefined;
  readonly redaction: RedactionOptions;
}

// Random bytes are drawn 512 ids at a time: one call to the CSPRNG costs microseconds,
// whatever its size, and an id is needed for every analysed request.
const ID_BYTES = 8;
const idPool = Buffer.alloc(ID_BYTES * 512);
let idOffset = idPool.length;

/**
 * A random non-zero id below 2^53, so that it survives as an exact JSON number in the
 * `_dd.iast.json` location's `spanId`.
 */
export function randomId(): bigint {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.readBigUInt64BE(idOffset) & ((1n << 53n) - 1n);
  idOffset += ID_BYTES;
  return id === 0n ? 1n : id;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Adds the IAST payload of `findings` to `span` (report JSON and stacks). */
export function attachFindings(span: TraceSpan, findings: readonly Finding[], defaults: SpanDefaults): void {
  span.metrics['_dd.iast.enabled'] = 1;
  if (findings.length === 0) return;
  span.meta['_dd.iast.json'] = JSON.stringify(toIastReport(findings, span.span_id, defaults.redaction));
  // Keep the trace in Datadog's sampling (user keep, decided by application security).
  span.metrics._sampling_priority_v1 = 2;
  span.meta['_dd.p.dm'] = '-5';
  const stacks = findings
    .filter((f) => f.stackId !== undefined && f.frames)
    .map((f) => ({
      id: f.stackId,
      language: 'nodejs',
      frames: (f.frames ?? []).map((fr, i) => ({
        id: i,
        file: fr.file,
        line: fr.line,
        column: fr.column,
        function: fr.function ?? '',
        class_name: fr.className ?? '',
      })),
    }));
  if (stacks.length > 0) span.meta_struct = { ...span.meta_struct, '_dd.stack': { vulnerability: stacks } };
}

export function baseMeta(defaults: SpanDefaults): Record<string, string> {
  const meta: Record<string, string> = { language: 'javascript', 'span.kind': 'server' };
  if (defaults.env) meta.env = defaults.env;
  if (defaults.version) meta.version = defaults.version;
  return meta;
}

/** A span of type `vulnerability` carrying findings that happened outside any request. */
export function vulnerabilitySpan(findings: readonly Finding[], defaults: SpanDefaults): TraceSpan {
  const id = randomId();
  const meta = baseMeta(defaults);
  delete meta['span.kind'];
  const span: TraceSpan = {
    trace_id: id,
    span_id: id,
    parent_id: 0n,
    name: 'vulnerability',
    service: defaults.service,
    resource: 'vulnerability',
    type: 'vulnerability',
    start: nowNs(),
    duration: 0n,
    error: 0,
    meta,
    metrics: { _top_level: 1 },
  };
  attachFindings(span, findings, defaults);
  return span;
}

/** The span as JSON-compatible data (ids as decimal strings) for the JSON Lines report. */
export function spanToJson(span: TraceSpan): Record<string, unknown> {
  return JSON.parse(JSON.stringify(span, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

import { CollectorError } from '../errors.js';
import { type DecodeLimits, decode, MsgpackError } from '../msgpack.js';

/** A span reduced to what the collector reads from it. */
export interface Span {
  service: string;
  name: string;
  resource: string;
  type: string;
  traceId: string;
  spanId: string;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  /** Values as sent: msgpack bytes (Uint8Array) from msgpack payloads, anything from JSON. */
  metaStruct: Record<string, unknown>;
}

export type TraceFormat = 'v0.4' | 'v0.5';

function malformed(message: string): never {
  throw new CollectorError('SLC_ERR_INTAKE_MALFORMED', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function idString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string' && /^[0-9a-fA-F-]{0,64}$/.test(v)) return v;
  return malformed(`${what} must be an integer`);
}

function text(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return malformed(`${what} must be a string`);
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) malformed(`${what} must be a map`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = text(val, `${what}["${k.slice(0, 64)}"]`);
  return out;
}

function numberMap(v: unknown, what: string): Record<string, number> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) malformed(`${what} must be a map`);
  const out: Record<string, number> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'number') out[k] = val;
    else if (typeof val === 'bigint') out[k] = Number(val);
    else malformed(`${what}["${k.slice(0, 64)}"] must be a number`);
  }
  return out;
}

function spanFromObject(raw: unknown, where: string): Span {
  if (!isObject(raw)) malformed(`${where} is not a span object`);
  const metaStruct = raw.meta_struct;
  if (metaStruct !== undefined && metaStruct !== null && !isObject(metaStruct))
    malformed(`${where}.meta_struct must be a map`);
  return {
    service: text(raw.service, `${where}.service`),
    name: text(raw.name, `${where}.name`),
    resource: text(raw.resource, `${where}.resource`),
    type: text(raw.type, `${where}.type`),
    traceId: idString(raw.trace_id, `${where}.trace_id`),
    spanId: idString(raw.span_id, `${where}.span_id`),
    meta: stringMap(raw.meta, `${where}.meta`),
    metrics: numberMap(raw.metrics, `${where}.metrics`),
    metaStruct: (metaStruct as Record<string, unknown> | undefined) ?? {},
  };
}

function tracesV04(payload: unknown): Span[] {
  if (!Array.isArray(payload)) malformed('payload must be an array of traces');
  const spans: Span[] = [];
  payload.forEach((trace, t) => {
    if (!Array.isArray(trace)) malformed(`trace ${t} must be an array of spans`);
    trace.forEach((raw, s) => {
      spans.push(spanFromObject(raw, `trace ${t} span ${s}`));
    });
  });
  return spans;
}

/** v0.5: [strings, traces]; a span is a 12-element array whose strings are string-table indexes. */
function tracesV05(payload: unknown): Span[] {
  if (!Array.isArray(payload) || payload.length !== 2) malformed('v0.5 payload must be [strings, traces]');
  const [strings, traces] = payload as [unknown, unknown];
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string'))
    malformed('v0.5 string table must be an array of strings');
  if (!Array.isArray(traces)) malformed('v0.5 traces must be an array');
  const table = strings as string[];
  const str = (i: unknown, what: string): string => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= table.length)
      malformed(`${what} is not a valid string-table index`);
    return table[i] as string;
  };
  const spans: Span[] = [];
  traces.forEach((trace, t) => {
    if (!Array.isArray(trace)) malformed(`trace ${t} must be an array of spans`);
    trace.forEach((raw, s) => {
      const where = `trace ${t} span ${s}`;
      if (!Array.isArray(raw) || raw.length !== 12) malformed(`${where} must be a 12-element array`);
      const meta: Record<string, string> = {};
      if (raw[9] !== null && !isObject(raw[9])) malformed(`${where} meta must be a map`);
      for (const [k, v] of Object.entries((raw[9] as Record<string, unknown>) ?? {}))
        meta[str(Number(k), `${where} meta key`)] = str(v, `${where} meta value`);
      const metrics: Record<string, number> = {};
      if (raw[10] !== null && !isObject(raw[10])) malformed(`${where} metrics must be a map`);
      for (const [k, v] of Object.entries((raw[10] as Record<string, unknown>) ?? {})) {
        if (typeof v !== 'number') malformed(`${where} metric values must be numbers`);
        metrics[str(Number(k), `${where} metrics key`)] = v;
      }
      spans.push({
        service: str(raw[0], `${where} service`),
        name: str(raw[1], `${where} name`),
        resource: str(raw[2], `${where} resource`),
        traceId: idString(raw[3], `${where} trace_id`),
        spanId: idString(raw[4], `${where} span_id`),
        meta,
        metrics,
        type: str(raw[11], `${where} type`),
        metaStruct: {},
      });
    });
  });
  return spans;
}

export function decodeTraces(
  body: Buffer,
  format: TraceFormat,
  contentType: string | undefined,
  limits: DecodeLimits,
): Span[] {
  const json = format === 'v0.4' && /\bjson\b/i.test(contentType ?? '');
  let payload: unknown;
  if (json) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (err) {
      malformed(`invalid JSON: ${(err as Error).message}`);
    }
  } else {
    try {
      payload = decode(body, limits);
    } catch (err) {
      if (err instanceof MsgpackError) malformed(`invalid msgpack: ${err.message}`);
      throw err;
    }
  }
  return format === 'v0.4' ? tracesV04(payload) : tracesV05(payload);
}

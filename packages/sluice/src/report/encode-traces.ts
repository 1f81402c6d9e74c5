/** Encodes traces for the Datadog Agent `/v0.4/traces` endpoint (msgpack). */
import { encode, MsgpackWriter } from './msgpack.js';
import type { TraceSpan } from './span.js';

function writeSpan(w: MsgpackWriter, s: TraceSpan): void {
  const metaStruct = s.meta_struct ? Object.entries(s.meta_struct) : [];
  w.mapHeader(metaStruct.length > 0 ? 13 : 12);
  w.string('trace_id').uint64(s.trace_id);
  w.string('span_id').uint64(s.span_id);
  w.string('parent_id').uint64(s.parent_id);
  w.string('name').string(s.name);
  w.string('service').string(s.service);
  w.string('resource').string(s.resource);
  w.string('type').string(s.type);
  w.string('start').int64(s.start);
  w.string('duration').int64(s.duration);
  w.string('error').number(s.error);
  const meta = Object.entries(s.meta);
  w.string('meta').mapHeader(meta.length);
  for (const [k, v] of meta) w.string(k).string(v);
  const metrics = Object.entries(s.metrics);
  w.string('metrics').mapHeader(metrics.length);
  for (const [k, v] of metrics) w.string(k).float64(v);
  if (metaStruct.length > 0) {
    // The intake reads each meta_struct value as msgpack bytes.
    w.string('meta_struct').mapHeader(metaStruct.length);
    for (const [k, v] of metaStruct) w.string(k).binary(encode(v));
  }
}

/** Each span is its own trace (Sluice only emits service-entry and vulnerability spans). */
export function encodeTraces(spans: readonly TraceSpan[]): Buffer {
  const w = new MsgpackWriter();
  w.arrayHeader(spans.length);
  for (const span of spans) {
    w.arrayHeader(1);
    writeSpan(w, span);
  }
  return w.result();
}

/**
 * Joins an incoming trace: `x-datadog-trace-id`/`x-datadog-parent-id` first (Datadog's
 * default propagation style order), then W3C `traceparent`. Without either, a new trace.
 */
export interface TraceIds {
  readonly traceId: bigint;
  readonly parentId: bigint;
  /** High 64 bits of a 128-bit trace id, as 16 hex digits (Datadog's `_dd.p.tid`). */
  readonly traceIdHigh: string | undefined;
}

const DECIMAL_U64 = /^\d{1,20}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const TID_TAG = /(?:^|,)_dd\.p\.tid=([0-9a-f]{16})(?:,|$)/;

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() : undefined;
}

export function extractTraceIds(headers: Record<string, unknown>): TraceIds | undefined {
  const ddTrace = header(headers, 'x-datadog-trace-id');
  if (ddTrace && DECIMAL_U64.test(ddTrace)) {
    const traceId = BigInt(ddTrace);
    if (traceId > 0n && traceId < 1n << 64n) {
      const ddParent = header(headers, 'x-datadog-parent-id');
      const parentId = ddParent && DECIMAL_U64.test(ddParent) ? BigInt.asUintN(64, BigInt(ddParent)) : 0n;
      const tags = header(headers, 'x-datadog-tags');
      const tid = tags ? TID_TAG.exec(tags)?.[1] : undefined;
      return { traceId, parentId, traceIdHigh: tid };
    }
  }
  const tp = header(headers, 'traceparent');
  const m = tp ? TRACEPARENT.exec(tp.toLowerCase()) : null;
  if (m && m[1] !== 'ff') {
    const full = m[2] as string;
    const span = m[3] as string;
    if (!/^0+$/.test(full) && !/^0+$/.test(span)) {
      const high = full.slice(0, 16);
      return {
        traceId: BigInt(`0x${full.slice(16)}`),
        parentId: BigInt(`0x${span}`),
        traceIdHigh: /^0+$/.test(high) ? undefined : high,
      };
    }
  }
  return undefined;
}

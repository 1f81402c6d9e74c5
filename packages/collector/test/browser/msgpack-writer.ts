// A small MessagePack encoder for building tracer payloads in the tests. It is written apart
// from the collector's own codec on purpose: a bug shared by encoder and decoder would hide.

function header(
  out: number[],
  len: number,
  fix: number | null,
  fixMax: number,
  codes: [number, number, number],
): void {
  if (fix !== null && len <= fixMax) out.push(fix | len);
  else if (len < 0x100 && codes[0] !== 0) out.push(codes[0], len);
  else if (len < 0x10000) out.push(codes[1], len >> 8, len & 0xff);
  else out.push(codes[2], (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
}

function write(out: number[], v: unknown): void {
  if (v === null || v === undefined) {
    out.push(0xc0);
  } else if (typeof v === 'boolean') {
    out.push(v ? 0xc3 : 0xc2);
  } else if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      if (v < 0x80) out.push(v);
      else if (v <= 0xffffffff)
        out.push(0xce, (v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
      else {
        const hi = Math.floor(v / 2 ** 32);
        const lo = v >>> 0;
        out.push(0xcf, (hi >>> 24) & 0xff, (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff);
        out.push((lo >>> 24) & 0xff, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff);
      }
    } else {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      out.push(0xcb, ...b);
    }
  } else if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'utf8');
    header(out, bytes.length, 0xa0, 31, [0xd9, 0xda, 0xdb]);
    for (const byte of bytes) out.push(byte);
  } else if (v instanceof Uint8Array) {
    header(out, v.length, null, 0, [0xc4, 0xc5, 0xc6]);
    for (const byte of v) out.push(byte);
  } else if (Array.isArray(v)) {
    header(out, v.length, 0x90, 15, [0, 0xdc, 0xdd]);
    for (const item of v) write(out, item);
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    header(out, entries.length, 0x80, 15, [0, 0xde, 0xdf]);
    for (const [k, x] of entries) {
      write(out, k);
      write(out, x);
    }
  } else {
    throw new TypeError(`cannot encode ${typeof v}`);
  }
}

export function msgpack(value: unknown): Buffer {
  const out: number[] = [];
  write(out, value);
  return Buffer.from(out);
}

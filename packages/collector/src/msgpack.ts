/**
 * A MessagePack decoder written for hostile input: every length is checked against the bytes
 * that remain before anything is allocated, nesting depth is bounded, and failures are
 * reported as MsgpackError with the offset, never as a crash or a hang. Tracer payloads are
 * the only input, so the decoder returns plain JS values: maps become objects (keys are
 * stringified, which the v0.5 string-table format relies on), bin becomes a Uint8Array,
 * 64-bit integers beyond 2^53 become BigInt.
 */
export class MsgpackError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'MsgpackError';
  }
}

export interface DecodeLimits {
  /** Deepest nesting of arrays and maps. */
  maxDepth: number;
  /** Longest single string or bin, in bytes. */
  maxStringBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxDepth: 64, maxStringBytes: 16 * 1024 * 1024 };

const utf8 = new TextDecoder('utf-8', { fatal: false });

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly limits: DecodeLimits,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (n > this.remaining)
      throw new MsgpackError(`truncated input: need ${n} bytes, have ${this.remaining}`, this.pos);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Uint8Array {
    if (n > this.limits.maxStringBytes)
      throw new MsgpackError(
        `string or bin of ${n} bytes exceeds the limit ${this.limits.maxStringBytes}`,
        this.pos,
      );
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(n: number): string {
    return utf8.decode(this.bytes(n));
  }

  value(depth: number): unknown {
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return this.map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return this.str(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bytes(this.u8());
      case 0xc5:
        return this.bytes(this.u16());
      case 0xc6:
        return this.bytes(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xd0: {
        this.need(1);
        return this.view.getInt8(this.pos++);
      }
      case 0xd1: {
        this.need(2);
        const v = this.view.getInt16(this.pos);
        this.pos += 2;
        return v;
      }
      case 0xd2: {
        this.need(4);
        const v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xd3: {
        this.need(8);
        const v = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new MsgpackError(`invalid type byte 0x${b.toString(16)}`, this.pos - 1);
    }
  }

  private ext(n: number): Uint8Array {
    this.u8(); // the ext type: no tracer payload uses one, so only its bytes are kept
    return this.bytes(n);
  }

  private enter(depth: number, count: number, minBytesEach: number): void {
    if (depth >= this.limits.maxDepth)
      throw new MsgpackError(`nesting deeper than ${this.limits.maxDepth}`, this.pos);
    // Each element takes at least one byte: a count the input cannot hold is a lie.
    if (count * minBytesEach > this.remaining)
      throw new MsgpackError(`truncated input: ${count} elements announced`, this.pos);
  }

  private array(count: number, depth: number): unknown[] {
    this.enter(depth, count, 1);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(count: number, depth: number): Record<string, unknown> {
    this.enter(depth, count, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const key = this.value(depth + 1);
      const k = typeof key === 'string' ? key : key instanceof Uint8Array ? utf8.decode(key) : String(key);
      const v = this.value(depth + 1);
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
      else out[k] = v;
    }
    return out;
  }
}

/** Decodes exactly one value filling `buf`; trailing bytes are an error. */
export function decode(buf: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): unknown {
  const reader = new Reader(buf, limits);
  const value = reader.value(0);
  if (reader.remaining !== 0) throw new MsgpackError(`${reader.remaining} trailing bytes`, reader.pos);
  return value;
}

/** Encodes a plain JS value: used for tests, benchmarks and nothing on the hot path. */
export function encode(value: unknown): Buffer {
  const chunks: Buffer[] = [];
  write(value, chunks);
  return Buffer.concat(chunks);
}

function header(
  chunks: Buffer[],
  n: number,
  fix: number,
  fixMax: number,
  c8: number | null,
  c16: number,
  c32: number,
) {
  if (n <= fixMax) chunks.push(Buffer.from([fix | n]));
  else if (c8 !== null && n <= 0xff) chunks.push(Buffer.from([c8, n]));
  else if (n <= 0xffff) {
    const b = Buffer.alloc(3);
    b[0] = c16;
    b.writeUInt16BE(n, 1);
    chunks.push(b);
  } else {
    const b = Buffer.alloc(5);
    b[0] = c32;
    b.writeUInt32BE(n, 1);
    chunks.push(b);
  }
}

function write(value: unknown, chunks: Buffer[]): void {
  if (value === null || value === undefined) chunks.push(Buffer.from([0xc0]));
  else if (value === true) chunks.push(Buffer.from([0xc3]));
  else if (value === false) chunks.push(Buffer.from([0xc2]));
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0x7f) chunks.push(Buffer.from([value]));
    else if (Number.isInteger(value) && value < 0 && value >= -32) chunks.push(Buffer.from([value + 0x100]));
    else if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      const b = Buffer.alloc(5);
      b[0] = 0xce;
      b.writeUInt32BE(value, 1);
      chunks.push(b);
    } else if (Number.isSafeInteger(value)) {
      const b = Buffer.alloc(9);
      b[0] = 0xd3;
      b.writeBigInt64BE(BigInt(value), 1);
      chunks.push(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = 0xcb;
      b.writeDoubleBE(value, 1);
      chunks.push(b);
    }
  } else if (typeof value === 'bigint') {
    const b = Buffer.alloc(9);
    if (value >= 0n) {
      b[0] = 0xcf;
      b.writeBigUInt64BE(value, 1);
    } else {
      b[0] = 0xd3;
      b.writeBigInt64BE(value, 1);
    }
    chunks.push(b);
  } else if (typeof value === 'string') {
    const s = Buffer.from(value, 'utf8');
    header(chunks, s.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
    chunks.push(s);
  } else if (value instanceof Uint8Array) {
    header(chunks, value.length, 0, -1, 0xc4, 0xc5, 0xc6);
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  } else if (Array.isArray(value)) {
    header(chunks, value.length, 0x90, 15, null, 0xdc, 0xdd);
    for (const v of value) write(v, chunks);
  } else if (value instanceof Map) {
    header(chunks, value.size, 0x80, 15, null, 0xde, 0xdf);
    for (const [k, v] of value) {
      write(k, chunks);
      write(v, chunks);
    }
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    header(chunks, entries.length, 0x80, 15, null, 0xde, 0xdf);
    for (const [k, v] of entries) {
      write(k, chunks);
      write(v, chunks);
    }
  } else throw new TypeError(`cannot encode ${typeof value}`);
}

/**
 * A small MessagePack encoder for the trace intake: maps, arrays, strings, binaries,
 * booleans, nil, integers (bigint for 64-bit ids) and float64. Written for this one job:
 * it grows one buffer and never allocates per value beyond string encoding.
 */
export class MsgpackWriter {
  #buf: Buffer = Buffer.allocUnsafe(4096);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  result(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }

  nil(): this {
    this.#byte(0xc0);
    return this;
  }

  bool(v: boolean): this {
    this.#byte(v ? 0xc3 : 0xc2);
    return this;
  }

  mapHeader(size: number): this {
    if (size < 16) this.#byte(0x80 | size);
    else if (size < 0x10000) this.#head(0xde, size, 2);
    else this.#head(0xdf, size, 4);
    return this;
  }

  arrayHeader(size: number): this {
    if (size < 16) this.#byte(0x90 | size);
    else if (size < 0x10000) this.#head(0xdc, size, 2);
    else this.#head(0xdd, size, 4);
    return this;
  }

  #head(tag: number, size: number, bytes: 1 | 2 | 4): void {
    this.#reserve(1 + bytes);
    this.#buf[this.#len++] = tag;
    if (bytes === 1) this.#buf.writeUInt8(size, this.#len);
    else if (bytes === 2) this.#buf.writeUInt16BE(size, this.#len);
    else this.#buf.writeUInt32BE(size, this.#len);
    this.#len += bytes;
  }

  #signed(tag: number, v: number, bytes: 1 | 2 | 4): void {
    this.#reserve(1 + bytes);
    this.#buf[this.#len++] = tag;
    if (bytes === 1) this.#buf.writeInt8(v, this.#len);
    else if (bytes === 2) this.#buf.writeInt16BE(v, this.#len);
    else this.#buf.writeInt32BE(v, this.#len);
    this.#len += bytes;
  }

  string(s: string): this {
    const size = Buffer.byteLength(s, 'utf8');
    if (size < 32) this.#byte(0xa0 | size);
    else if (size < 0x100) this.#head(0xd9, size, 1);
    else if (size < 0x10000) this.#head(0xda, size, 2);
    else this.#head(0xdb, size, 4);
    this.#reserve(size);
    this.#len += this.#buf.write(s, this.#len, 'utf8');
    return this;
  }

  binary(b: Uint8Array): this {
    if (b.length < 0x100) this.#head(0xc4, b.length, 1);
    else if (b.length < 0x10000) this.#head(0xc5, b.length, 2);
    else this.#head(0xc6, b.length, 4);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** An unsigned 64-bit integer (trace and span ids). */
  uint64(v: bigint): this {
    this.#reserve(9);
    this.#buf[this.#len++] = 0xcf;
    this.#buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.#len);
    this.#len += 8;
    return this;
  }

  /** A signed 64-bit integer. */
  int64(v: bigint): this {
    this.#reserve(9);
    this.#buf[this.#len++] = 0xd3;
    this.#buf.writeBigInt64BE(BigInt.asIntN(64, v), this.#len);
    this.#len += 8;
    return this;
  }

  float64(v: number): this {
    this.#reserve(9);
    this.#buf[this.#len++] = 0xcb;
    this.#buf.writeDoubleBE(v, this.#len);
    this.#len += 8;
    return this;
  }

  /** A number: the smallest integer form when it is a safe integer, else float64. */
  number(v: number): this {
    if (!Number.isSafeInteger(v)) return this.float64(v);
    if (v >= 0) {
      if (v < 0x80) this.#byte(v);
      else if (v < 0x100) this.#head(0xcc, v, 1);
      else if (v < 0x10000) this.#head(0xcd, v, 2);
      else if (v < 0x100000000) this.#head(0xce, v, 4);
      else this.uint64(BigInt(v));
    } else if (v >= -32) this.#byte(v & 0xff);
    else if (v >= -0x80) this.#signed(0xd0, v, 1);
    else if (v >= -0x8000) this.#signed(0xd1, v, 2);
    else if (v >= -0x80000000) this.#signed(0xd2, v, 4);
    else this.int64(BigInt(v));
    return this;
  }

  /** Any JSON-like value (objects become maps; undefined members are skipped). */
  value(v: unknown): this {
    if (v === null || v === undefined) return this.nil();
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'bigint':
        return v < 0n ? this.int64(v) : this.uint64(v);
      case 'boolean':
        return this.bool(v);
      case 'object': {
        if (v instanceof Uint8Array) return this.binary(v);
        if (Array.isArray(v)) {
          this.arrayHeader(v.length);
          for (const item of v) this.value(item);
          return this;
        }
        const entries = Object.entries(v).filter(([, x]) => x !== undefined);
        this.mapHeader(entries.length);
        for (const [k, x] of entries) this.string(k).value(x);
        return this;
      }
      default:
        return this.nil();
    }
  }
}

export function encode(value: unknown): Buffer {
  return new MsgpackWriter().value(value).result();
}

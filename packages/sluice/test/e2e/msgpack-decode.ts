/** A MessagePack decoder for tests: the test agent decodes what the exporter sends. */
export function decode(buf: Uint8Array): unknown {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const str = (n: number) => {
    const s = view.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  const bin = (n: number) => {
    const b = view.subarray(pos, pos + n);
    pos += n;
    return Buffer.from(b);
  };
  const arr = (n: number): unknown[] => Array.from({ length: n }, () => read());
  const map = (n: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = read();
      o[String(k)] = read();
    }
    return o;
  };
  const read = (): unknown => {
    const t = view[pos++] as number;
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    const next = <T>(n: number, f: () => T): T => {
      const v = f();
      pos += n;
      return v;
    };
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return bin(next(1, () => view.readUInt8(pos)));
      case 0xc5:
        return bin(next(2, () => view.readUInt16BE(pos)));
      case 0xc6:
        return bin(next(4, () => view.readUInt32BE(pos)));
      case 0xca:
        return next(4, () => view.readFloatBE(pos));
      case 0xcb:
        return next(8, () => view.readDoubleBE(pos));
      case 0xcc:
        return next(1, () => view.readUInt8(pos));
      case 0xcd:
        return next(2, () => view.readUInt16BE(pos));
      case 0xce:
        return next(4, () => view.readUInt32BE(pos));
      case 0xcf:
        return next(8, () => view.readBigUInt64BE(pos));
      case 0xd0:
        return next(1, () => view.readInt8(pos));
      case 0xd1:
        return next(2, () => view.readInt16BE(pos));
      case 0xd2:
        return next(4, () => view.readInt32BE(pos));
      case 0xd3:
        return next(8, () => view.readBigInt64BE(pos));
      case 0xd9:
        return str(next(1, () => view.readUInt8(pos)));
      case 0xda:
        return str(next(2, () => view.readUInt16BE(pos)));
      case 0xdb:
        return str(next(4, () => view.readUInt32BE(pos)));
      case 0xdc:
        return arr(next(2, () => view.readUInt16BE(pos)));
      case 0xdd:
        return arr(next(4, () => view.readUInt32BE(pos)));
      case 0xde:
        return map(next(2, () => view.readUInt16BE(pos)));
      case 0xdf:
        return map(next(4, () => view.readUInt32BE(pos)));
      default:
        throw new Error(`msgpack: unsupported type 0x${t.toString(16)} at ${pos - 1}`);
    }
  };
  const value = read();
  if (pos !== view.length) throw new Error(`msgpack: ${view.length - pos} trailing bytes`);
  return value;
}

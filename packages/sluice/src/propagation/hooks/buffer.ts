/**
 * Buffer.from(string) and buf.toString() (also reached through String(buf), `${buf}` and
 * buf + ''), and string_decoder. A buffer's taint is kept beside it in a WeakMap as byte
 * ranges; decoding maps the bytes back to characters. Exact for utf8, latin1/binary, ascii
 * and utf16le/ucs2 in both directions; hex and base64 ranges are widened to whole output
 * groups. subarray, slice and Buffer.concat carry the byte ranges along; other ways of
 * deriving a buffer (buf.copy, write into another buffer, TypedArray methods) do not: a
 * documented gap.
 */
import { StringDecoder } from 'node:string_decoder';
import { concat, makeRange, normalise, type Piece, sliceRanges, whole } from '../../taint/ranges.js';
import type { Range } from '../../taint/types.js';
import type { Tainter } from '../tainter.js';
import { type Patcher, unwrapped, wrapFunction } from './wrap.js';

type ByteRanges = readonly Range[];

function encodingOf(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : 'utf8';
}

/** Byte offset of character index `i` of `text` in `encoding`, or -1 when not computable. */
function byteOffset(text: string, i: number, encoding: string): number {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return Buffer.byteLength(text.slice(0, i), 'utf8');
    case 'latin1':
    case 'binary':
    case 'ascii':
      return i;
    case 'utf16le':
    case 'utf-16le':
    case 'ucs2':
    case 'ucs-2':
      return 2 * i;
    case 'hex':
      return Math.floor(i / 2);
    case 'base64':
    case 'base64url':
      return Math.floor((i * 3) / 4);
    default:
      return -1;
  }
}

/** Character index in `buf.toString(encoding, start)` of byte `b` (start <= b). */
function charOffset(buf: Buffer, b: number, start: number, encoding: string, up: boolean): number {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      // The original toString: the wrapped one would propagate (and recurse) here.
      return (Reflect.apply(unwrapped(Buffer.prototype.toString), buf, ['utf8', start, b]) as string).length;
    case 'latin1':
    case 'binary':
    case 'ascii':
      return b - start;
    case 'utf16le':
    case 'utf-16le':
    case 'ucs2':
    case 'ucs-2':
      return Math.floor((b - start) / 2);
    case 'hex':
      return 2 * (b - start);
    default: {
      // base64: 3 bytes make 4 characters; widen to whole groups.
      const groups = (b - start) / 3;
      return 4 * (up ? Math.ceil(groups) : Math.floor(groups));
    }
  }
}

export function hookBuffer(t: Tainter, patcher: Patcher, taintOf: WeakMap<object, ByteRanges>): void {
  patcher.wrap(Buffer, 'from', (original) =>
    wrapFunction(original, (result, args) => {
      const text = args[0];
      const ranges = t.ranges(text);
      if (ranges === undefined || !Buffer.isBuffer(result)) return result;
      const encoding = encodingOf(args[1]);
      const bytes: Range[] = [];
      for (const r of ranges) {
        const start = byteOffset(text as string, r.start, encoding);
        const end =
          encoding === 'hex' || encoding.startsWith('base64')
            ? Math.ceil(byteOffset(text as string, r.end, encoding) + 0.75)
            : byteOffset(text as string, r.end, encoding);
        if (start < 0) {
          taintOf.set(result, whole(ranges, result.length));
          return result;
        }
        if (end > start) bytes.push(makeRange(start, end, r.source, r.marks));
      }
      taintOf.set(result, normalise(bytes, result.length));
      return result;
    }),
  );
  // Views and copies of a tainted buffer keep its byte ranges.
  for (const name of ['subarray', 'slice'] as const) {
    patcher.wrap(Buffer.prototype, name, (original) =>
      wrapFunction(original, (result, _args, self) => {
        const bytes = Buffer.isBuffer(self) ? taintOf.get(self) : undefined;
        if (bytes === undefined || !Buffer.isBuffer(result) || result.buffer !== (self as Buffer).buffer)
          return result;
        const from = result.byteOffset - (self as Buffer).byteOffset;
        const viewed = sliceRanges(bytes, from, from + result.length);
        if (viewed.length !== 0) taintOf.set(result, viewed);
        return result;
      }),
    );
  }
  patcher.wrap(Buffer, 'concat', (original) =>
    wrapFunction(original, (result, args) => {
      const list = args[0];
      if (!Buffer.isBuffer(result) || !Array.isArray(list)) return result;
      const pieces: Piece[] = [];
      let tainted = false;
      for (const item of list) {
        if (!(item instanceof Uint8Array)) return result;
        const bytes = taintOf.get(item);
        if (bytes !== undefined) tainted = true;
        pieces.push({ ranges: bytes, length: item.length });
      }
      if (tainted) {
        const ranges = normalise(concat(pieces), result.length);
        if (ranges.length !== 0) taintOf.set(result, ranges);
      }
      return result;
    }),
  );
  patcher.wrap(Buffer.prototype, 'toString', (original) =>
    wrapFunction(original, (result, args, self) =>
      decoded(t, taintOf, self, result, encodingOf(args[0]), args[1], args[2]),
    ),
  );
  patcher.wrap(StringDecoder.prototype, 'write', (original) =>
    wrapFunction(original, (result, args, self) =>
      decoded(
        t,
        taintOf,
        args[0],
        result,
        encodingOf((self as StringDecoder & { encoding?: string }).encoding),
      ),
    ),
  );
  patcher.wrap(StringDecoder.prototype, 'end', (original) =>
    wrapFunction(original, (result, args, self) =>
      decoded(
        t,
        taintOf,
        args[0],
        result,
        encodingOf((self as StringDecoder & { encoding?: string }).encoding),
      ),
    ),
  );
}

/**
 * The string decoded from a tainted buffer, with the buffer's byte ranges as characters.
 * (A StringDecoder may prepend a character completed from the previous chunk: ranges can be
 * one character early then.)
 */
function decoded(
  t: Tainter,
  taintOf: WeakMap<object, ByteRanges>,
  buf: unknown,
  result: unknown,
  encoding: string,
  startArg?: unknown,
  endArg?: unknown,
): unknown {
  if (typeof result !== 'string' || result.length === 0 || !Buffer.isBuffer(buf)) return result;
  const bytes = taintOf.get(buf);
  if (bytes === undefined) return result;
  const start = typeof startArg === 'number' && startArg > 0 ? Math.min(Math.trunc(startArg), buf.length) : 0;
  const end =
    typeof endArg === 'number' ? Math.max(start, Math.min(Math.trunc(endArg), buf.length)) : buf.length;
  const chars: Range[] = [];
  for (const r of bytes) {
    const from = Math.max(r.start, start);
    const to = Math.min(r.end, end);
    if (to <= from) continue;
    const a = charOffset(buf, from, start, encoding, false);
    const b = charOffset(buf, to, start, encoding, true);
    if (b > a) chars.push(makeRange(a, b, r.source, r.marks));
  }
  return chars.length === 0 ? result : t.make(result, chars);
}

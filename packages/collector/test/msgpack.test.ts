import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CollectorError } from '../src/errors.js';
import { findingsFromSpan } from '../src/intake/iast.js';
import { decodeTraces } from '../src/intake/traces.js';
import { DEFAULT_DECODE_LIMITS, decode, encode, MsgpackError } from '../src/msgpack.js';
import { dotnetSpan, javaSpan, msgpackTraces, nodeSpan, pythonSpan, v05Traces } from './helpers/payloads.js';

/** A small deterministic PRNG so that a failure can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('msgpack decoder', () => {
  it('round-trips every type the tracers use', () => {
    const value = {
      nil: null,
      t: true,
      f: false,
      small: 7,
      neg: -5,
      neg8: -100,
      u16: 60_000,
      u32: 4_000_000_000,
      big: 2n ** 63n + 5n,
      float: 1.5,
      str: 'héllo',
      long: 'x'.repeat(70_000),
      bin: new Uint8Array([1, 2, 3]),
      arr: Array.from({ length: 20 }, (_, i) => i),
      nested: { a: [{ b: 'c' }] },
    };
    const back = decode(encode(value)) as Record<string, unknown>;
    assert.equal(back.big, 2n ** 63n + 5n);
    assert.deepEqual([...(back.bin as Uint8Array)], [1, 2, 3]);
    assert.deepEqual({ ...back, big: 0, bin: 0 }, { ...value, big: 0, bin: 0 });
  });

  it('does not let a "__proto__" key change an object prototype', () => {
    const bytes = encode(new Map([['__proto__', { polluted: true }]]));
    const out = decode(bytes) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });

  it('reports limits as MsgpackError: depth, string size, lying lengths', () => {
    assert.throws(() => decode(Buffer.alloc(65, 0x91)), MsgpackError);
    assert.throws(
      () => decode(encode('x'.repeat(100)), { maxDepth: 64, maxStringBytes: 10 }),
      /exceeds the limit/,
    );
    assert.throws(() => decode(Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff])), /elements announced/);
    assert.throws(() => decode(Buffer.from([0xc6, 0xff, 0xff, 0xff, 0xff, 0x00])), MsgpackError);
  });

  it('fuzz: mutated tracer payloads either decode or fail with a coded error, never anything else', () => {
    const seeds = [
      msgpackTraces([[nodeSpan()]]),
      msgpackTraces([[javaSpan(), pythonSpan()]]),
      msgpackTraces([[dotnetSpan()]]),
      v05Traces([[nodeSpan()]]),
    ];
    const random = rng(20261124);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const base = seeds[i % seeds.length] as Buffer;
      const buf = Buffer.from(base);
      const mutations = 1 + Math.floor(random() * 4);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(random() * buf.length);
        const kind = random();
        if (kind < 0.6) buf[at] = Math.floor(random() * 256);
        else if (kind < 0.8)
          buf[at] = [0xc0, 0xdc, 0xdd, 0xde, 0xdf, 0xdb, 0xc6, 0x7f, 0xff][
            Math.floor(random() * 9)
          ] as number;
        else buf[at] = (buf[at] as number) ^ 0x80;
      }
      const input = random() < 0.1 ? buf.subarray(0, Math.floor(random() * buf.length)) : buf;
      const format = i % seeds.length === 3 ? 'v0.5' : 'v0.4';
      try {
        const spans = decodeTraces(input, format, 'application/msgpack', DEFAULT_DECODE_LIMITS);
        for (const s of spans)
          findingsFromSpan(
            s,
            { tracer: { language: 'nodejs', version: null }, receivedAt: 0 },
            DEFAULT_DECODE_LIMITS,
          );
        decoded++;
      } catch (err) {
        assert.ok(err instanceof CollectorError, `iteration ${i}: ${(err as Error)?.stack}`);
        assert.ok(
          err.code === 'SLC_ERR_INTAKE_MALFORMED' || err.code === 'SLC_ERR_INTAKE_IAST_INVALID',
          err.code,
        );
        rejected++;
      }
    }
    // Both outcomes occur, or the fuzzer is not exercising anything.
    assert.ok(decoded > 50 && rejected > 50, `decoded ${decoded}, rejected ${rejected}`);
  });
});

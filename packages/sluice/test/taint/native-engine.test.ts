import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultAddonPath, loadNativeEngine, normaliseRanges } from '../../src/taint/native-engine.js';
import { MAX_RANGES_PER_STRING } from '../../src/taint/types.js';
import { engine, plain, range, source } from './native-helpers.js';

/** Fresh text each call, so that no test sees a string V8 already holds from another. */
let counter = 0;
const fresh = (text: string) => `${text}${++counter}`.slice(0, text.length);

describe('native engine: tainted copies keep every character and carry their ranges', () => {
  const cases: [string, string][] = [
    ['ASCII', 'SELECT * FROM users WHERE id = 1'],
    ['Latin-1', 'café crème brûlée ÿ ¡ \u00a0 \u00ff'],
    ['two-byte', 'Привет, мир € 中文 \u0100'],
    ['surrogate pairs', 'a😀b𝄞c🇫🇷'],
    ['a lone surrogate', 'x\ud800y\udc00'],
    ['one ASCII character', 'x'],
    ['one Latin-1 character', 'é'],
    ['one two-byte character', '€'],
    ['a NUL character', 'a\u0000b'],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const value = `${text}`;
      const ranges = [range(0, Math.min(2, value.length), source(value))];
      const tainted = engine.taint(value, ranges);
      assert.equal(tainted, value);
      assert.equal(tainted.length, value.length);
      for (let i = 0; i < value.length; i++) assert.equal(tainted.charCodeAt(i), value.charCodeAt(i));
      assert.deepEqual([...tainted], [...value]);
      assert.deepEqual(plain(engine.getRanges(tainted)), plain(normaliseRanges(ranges, value.length)));
      assert.equal(engine.isTainted(tainted), true);
    });
  }

  it('ranges count UTF-16 code units: a surrogate pair is two', () => {
    const value = '😀😀ab';
    const tainted = engine.taint(value, [range(2, 4), range(4, 5)]);
    assert.deepEqual(plain(engine.getRanges(tainted)), [
      { start: 2, end: 4, name: 'q', marks: 0 },
      { start: 4, end: 5, name: 'q', marks: 0 },
    ]);
    assert.equal(tainted.slice(2, 4), '😀');
  });

  it('megabyte strings, one-byte and two-byte, are copied exactly and counted in bytes', () => {
    const size = 1 << 20;
    const oneByte = `${'ab'.repeat(size / 2)}`;
    const twoByte = `${'€b'.repeat(size / 2)}`;
    const before = engine.stats();
    const t1 = engine.taint(oneByte, [range(0, size), range(size - 1, size + 10)]);
    const t2 = engine.taint(twoByte, [range(size - 3, size)]);
    const after = engine.stats();
    assert.equal(t1, oneByte);
    assert.equal(t2, twoByte);
    assert.deepEqual(plain(engine.getRanges(t1)), [{ start: 0, end: size, name: 'q', marks: 0 }]);
    assert.deepEqual(plain(engine.getRanges(t2)), [{ start: size - 3, end: size, name: 'q', marks: 0 }]);
    assert.equal(after.created - before.created, 2);
    // One byte per Latin-1 character, two per two-byte character.
    assert.ok(after.liveBytes - before.liveBytes >= size + 2 * size);
  });

  it('copies from sliced, cons and internalised inputs', () => {
    const big = `${'0123456789'.repeat(100)}${counter++}`;
    const inputs = [big.slice(100, 140), `${big}${'tail'.repeat(5)}`, 'an internalised literal'];
    for (const input of inputs) {
      const tainted = engine.taint(input, [range(0, 5)]);
      assert.equal(tainted, input);
      assert.equal(engine.isTainted(tainted), true);
    }
  });

  it('does not taint the input string itself', () => {
    const value = fresh('original value');
    engine.taint(value, [range(0, 3)]);
    assert.equal(engine.isTainted(value), false);
    assert.equal(engine.getRanges(value), undefined);
  });

  it('returns the same frozen array on every look-up', () => {
    const tainted = engine.taint(fresh('abcdef'), [range(1, 3)]);
    const first = engine.getRanges(tainted);
    assert.ok(first);
    assert.equal(engine.getRanges(tainted), first);
    assert.ok(Object.isFrozen(first));
    assert.ok(first.every((r) => Object.isFrozen(r)));
  });

  it('re-tainting a tainted string gives a new string with the new ranges only', () => {
    const once = engine.taint(fresh('abcdef'), [range(0, 1)]);
    const twice = engine.taint(once, [range(4, 6, source('other', 'b'))]);
    assert.deepEqual(plain(engine.getRanges(twice)), [{ start: 4, end: 6, name: 'b', marks: 0 }]);
    assert.deepEqual(plain(engine.getRanges(once)), [{ start: 0, end: 1, name: 'q', marks: 0 }]);
  });
});

describe('native engine: range normalisation', () => {
  it('clips to the string, drops empty ranges, sorts and removes overlap', () => {
    const s = source('v');
    const tainted = engine.taint(fresh('0123456789'), [
      range(8, 20, s, 1),
      range(-5, 2, s, 2),
      range(3, 3, s),
      range(5, 4, s),
      range(4, 7, s, 3),
      range(6, 9, s, 4),
      range(12, 15, s),
    ]);
    assert.deepEqual(plain(engine.getRanges(tainted)), [
      { start: 0, end: 2, name: 'q', marks: 2 },
      { start: 4, end: 7, name: 'q', marks: 3 },
      { start: 7, end: 9, name: 'q', marks: 4 },
      { start: 9, end: 10, name: 'q', marks: 1 },
    ]);
  });

  it(`caps ranges at MAX_RANGES_PER_STRING (${MAX_RANGES_PER_STRING}), keeping the first`, () => {
    const value = fresh('x'.repeat(500));
    const many = Array.from({ length: 200 }, (_, i) => range(i * 2, i * 2 + 1));
    const ranges = engine.getRanges(engine.taint(value, many.reverse()));
    assert.equal(ranges?.length, MAX_RANGES_PER_STRING);
    assert.equal(ranges?.[0]?.start, 0);
    assert.equal(ranges?.at(-1)?.start, (MAX_RANGES_PER_STRING - 1) * 2);
  });

  it('ranges taken from a tainted string are reused as they are, or clipped when too long', () => {
    const first = engine.taint(fresh('abcdefgh'), [range(0, 2), range(5, 8)]);
    const carried = engine.getRanges(first);
    assert.ok(carried);
    const second = engine.taint(fresh('ABCDEFGH'), carried);
    assert.equal(engine.getRanges(second), carried);
    const shorter = engine.taint(fresh('abcdef'), carried);
    assert.notEqual(engine.getRanges(shorter), carried);
    assert.deepEqual(plain(engine.getRanges(shorter)), [
      { start: 0, end: 2, name: 'q', marks: 0 },
      { start: 5, end: 6, name: 'q', marks: 0 },
    ]);
  });

  it('a frozen array is validated like any other', () => {
    const frozen = Object.freeze([Object.freeze(range(3, 1)), Object.freeze(range(0, 2))]);
    assert.deepEqual(plain(engine.getRanges(engine.taint(fresh('abcdef'), frozen))), [
      { start: 0, end: 2, name: 'q', marks: 0 },
    ]);
  });

  it('returns the value untainted when no range remains', () => {
    const value = fresh('plain');
    assert.equal(engine.isTainted(engine.taint(value, [])), false);
    assert.equal(engine.isTainted(engine.taint(value, [range(10, 20), range(2, 2)])), false);
  });

  it('the empty string cannot be tainted (V8 has one canonical empty string)', () => {
    const before = engine.stats().created;
    const result = engine.taint('', [range(0, 1)]);
    assert.equal(result, '');
    assert.equal(engine.isTainted(result), false);
    assert.equal(engine.stats().created, before);
  });

  it('rejects bad input with a clear TypeError', () => {
    assert.throws(() => engine.taint(42 as unknown as string, [range(0, 1)]), /expected a string/);
    assert.throws(() => engine.taint('abc', {} as never), /ranges must be an array/);
    assert.throws(() => engine.taint('abc', [{ start: 'a' } as never]), /numeric start and end/);
    assert.throws(() => engine.taint('abc', [null as never]), /numeric start and end/);
  });
});

describe('native engine: look-up from any value', () => {
  const tainted = engine.taint(fresh('tainted text'), [range(0, 7)]);
  const values: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['NaN', Number.NaN],
    ['a bigint', 10n],
    ['a boolean', true],
    ['a symbol', Symbol('s')],
    ['a plain object', { toString: () => tainted }],
    ['an array holding a tainted string', [tainted]],
    ['a function', () => tainted],
    ['a String object wrapping a tainted string', new String(tainted)],
    ['an untainted flat string', 'tainted text'],
    ['an untainted cons string', `${'ab'.repeat(10)}${Math.random()}`],
    ['a function source text', require('node:fs').readFileSync.toString()],
  ];
  for (const [name, value] of values) {
    it(`${name} -> undefined, never a throw`, () => {
      assert.equal(engine.getRanges(value), undefined);
      assert.equal(engine.isTainted(value), false);
    });
  }

  it('the String object is not tainted but its primitive value is', () => {
    assert.equal(engine.isTainted(new String(tainted).valueOf()), true);
  });
});

describe('native engine: replacing ranges and secure marks in place', () => {
  it('setRanges replaces the ranges seen through every reference', () => {
    const tainted = engine.taint(fresh('abcdef'), [range(0, 3)]);
    const alias = tainted;
    const holder = { value: tainted };
    assert.equal(engine.setRanges(tainted, [range(1, 2, source('x'), 0b101), range(4, 9)]), true);
    const expected = [
      { start: 1, end: 2, name: 'q', marks: 0b101 },
      { start: 4, end: 6, name: 'q', marks: 0 },
    ];
    assert.deepEqual(plain(engine.getRanges(alias)), expected);
    assert.deepEqual(plain(engine.getRanges(holder.value)), expected);
  });

  it('setRanges returns false for untainted strings and non-strings', () => {
    assert.equal(engine.setRanges(fresh('untainted'), [range(0, 1)]), false);
    assert.equal(engine.setRanges(12 as unknown as string, [range(0, 1)]), false);
  });

  it('setRanges with nothing left after normalisation keeps the old ranges', () => {
    const tainted = engine.taint(fresh('abc'), [range(0, 3)]);
    assert.equal(engine.setRanges(tainted, [range(5, 9)]), false);
    assert.deepEqual(plain(engine.getRanges(tainted)), [{ start: 0, end: 3, name: 'q', marks: 0 }]);
  });
});

describe('native engine: loading', () => {
  it('is the native kind and runInScope just calls the function', () => {
    assert.equal(engine.kind, 'native');
    assert.equal(
      engine.runInScope(() => 7),
      7,
    );
  });

  it('SLUICE_NATIVE_ADDON chooses the addon file; the default is the package build', () => {
    assert.equal(defaultAddonPath({ SLUICE_NATIVE_ADDON: 'x/y.node' }), path.resolve('x/y.node'));
    assert.match(defaultAddonPath({}), /build[/\\]Release[/\\]sluice_taint\.node$/);
  });

  it('a missing addon gives a clear error with code SLUICE_ERR_ENGINE', () => {
    assert.throws(
      () => loadNativeEngine('/nonexistent/sluice_taint.node'),
      (error: Error & { code?: string }) =>
        error.code === 'SLUICE_ERR_ENGINE' &&
        /cannot load the native taint addon at \/nonexistent\/sluice_taint\.node/.test(error.message),
    );
  });

  it('a module that is not the addon is refused', () => {
    assert.throws(
      () => loadNativeEngine(require.resolve('node:path')),
      /cannot load|is not the Sluice taint addon/,
    );
    assert.throws(
      () => loadNativeEngine(__filename),
      /is not the Sluice taint addon \(no taint\(\) export\)/,
    );
  });
});

import assert from 'node:assert/strict';
import { MAX_RANGES_PER_STRING } from '../../src/taint/types.js';
import { A, B, type Case, runCases } from './engines.js';

const ALPHABETS = {
  ascii: 'hello world',
  latin1: 'héllo wörld',
  twoByte: 'привет мир!',
  surrogates: '😀é😀 b😀xy',
} as const;

/** Errors must be the originals': same class, same message. */
function sameError(original: () => unknown, helper: () => unknown): void {
  let expected: unknown;
  try {
    original();
  } catch (error) {
    expected = error;
  }
  assert.ok(expected instanceof Error, 'the original must throw');
  assert.throws(helper, (actual: unknown) => {
    assert.equal((actual as Error).constructor, (expected as Error).constructor);
    assert.equal((actual as Error).message, (expected as Error).message);
    return true;
  });
}

const cases: Case[] = [];

for (const [alphabet, text] of Object.entries(ALPHABETS)) {
  cases.push({
    name: `${alphabet}: + and templates shift the ranges by the left text's length`,
    fn: ({ rt, taint, spans }) => {
      const x = taint(text, [2, 5]);
      const r1 = rt.plus('«»', x);
      assert.equal(r1, `«»${text}`);
      assert.deepEqual(spans(r1), [[4, 7]]);
      const r2 = rt.plus(x, x);
      assert.deepEqual(spans(r2), [
        [2, 5],
        [text.length + 2, text.length + 5],
      ]);
      const r3 = rt.tpl(['a', 'bc', ''], x, rt.tpl(['<', '>'], x));
      assert.equal(r3, `a${text}bc<${text}>`);
      assert.deepEqual(spans(r3), [
        [3, 6],
        [text.length + 6, text.length + 9],
      ]);
    },
  });
  cases.push({
    name: `${alphabet}: substring methods clip and rebase, with negative and out-of-range indices`,
    fn: ({ rt, taint, spans }) => {
      const x = taint(text, [2, 5]);
      const check = (value: unknown, expected: unknown, expectedSpans: number[][]) => {
        assert.equal(value, expected);
        assert.deepEqual(spans(value), expectedSpans);
      };
      check(rt.slice(x, 1, -2), text.slice(1, -2), [[1, 4]]);
      check(rt.slice(x, -100, 3), text.slice(0, 3), [[2, 3]]);
      check(rt.slice(x, 4), text.slice(4), [[0, 1]]);
      check(rt.slice(x, 5, 2), '', []);
      check(rt.substring(x, 6, 3), text.substring(3, 6), [[0, 2]]);
      check(rt.substring(x, Number.NaN, 3), text.substring(0, 3), [[2, 3]]);
      check(rt.substr(x, -9, 4), text.substr(-9, 4), [[0, 3]]);
      check(rt.at(x, 3), text.at(3), [[0, 1]]);
      check(rt.at(x, -(text.length - 2)), text.at(2), [[0, 1]]);
      check(rt.at(x, 100), undefined, []);
      check(rt.charAt(x, 4), text.charAt(4), [[0, 1]]);
      check(rt.charAt(x, 5), text.charAt(5), []);
      check(rt.slice(x, '1', { valueOf: () => 4 }), text.slice(1, 4), [[1, 3]]);
    },
  });
  cases.push({
    name: `${alphabet}: trim, pad, repeat and concat`,
    fn: ({ rt, taint, spans }) => {
      const x = taint(`  ${text}\n`, [0, 4]);
      assert.deepEqual(spans(rt.trim(x)), [[0, 2]]);
      assert.deepEqual(spans(rt.trimStart(x)), [[0, 2]]);
      assert.deepEqual(spans(rt.trimEnd(x)), [[0, 4]]);
      const y = taint(text, [0, 1]);
      const fill = taint('-+', [1, 2, B]);
      const padded = rt.padStart(y, text.length + 5, fill);
      assert.equal(padded, text.padStart(text.length + 5, '-+'));
      assert.deepEqual(spans(padded, true), [
        [1, 2, 'b', 0],
        [3, 4, 'b', 0],
        [5, 6, 'a', 0],
      ]);
      assert.deepEqual(spans(rt.padEnd(y, text.length + 2)), [[0, 1]]);
      assert.deepEqual(spans(rt.repeat(y, 3)), [
        [0, 1],
        [text.length, text.length + 1],
        [2 * text.length, 2 * text.length + 1],
      ]);
      const joined = rt.concat(y, 7, null, y);
      assert.equal(joined, `${text}7null${text}`);
      assert.deepEqual(spans(joined), [
        [0, 1],
        [text.length + 5, text.length + 6],
      ]);
    },
  });
  cases.push({
    name: `${alphabet}: split gives each piece its own ranges; join lays out elements and separator`,
    fn: ({ rt, taint, spans }) => {
      // Distinct texts: the fallback engine could not tell two equal pieces apart.
      const x = taint(`${text},${text}!`, [text.length - 1, text.length + 2]);
      const pieces = rt.split(x, ',') as string[];
      assert.deepEqual(pieces, [text, `${text}!`]);
      assert.deepEqual(
        pieces.map((p) => spans(p)),
        [[[text.length - 1, text.length]], [[0, 1]]],
      );
      const sep = taint('|', [0, 1, B]);
      const joined = rt.join([pieces[1], 1, null, pieces[0]], sep);
      assert.equal(joined, `${text}!|1||${text}`);
      assert.deepEqual(spans(joined, true), [
        [0, 1, 'a', 0],
        [text.length + 1, text.length + 2, 'b', 0],
        [text.length + 3, text.length + 5, 'b', 0],
        [2 * text.length + 4, 2 * text.length + 5, 'a', 0],
      ]);
    },
  });
}

cases.push(
  {
    name: 'the empty string and one-character strings',
    fn: ({ rt, taint, spans, engine }) => {
      assert.equal(taint('', [0, 1]), '');
      assert.equal(engine.isTainted(''), false);
      const c = taint('x', [0, 1]);
      assert.deepEqual(spans(rt.plus(c, '')), [[0, 1]]);
      assert.deepEqual(spans(rt.plus('', c)), [[0, 1]]);
      assert.deepEqual(spans(rt.slice(c, 0, 0)), []);
      assert.deepEqual(spans(rt.repeat(c, 0)), []);
      assert.deepEqual(spans(rt.tpl(['', ''], c)), [[0, 1]]);
    },
  },
  {
    name: 'megabyte strings keep exact ranges',
    fn: ({ rt, taint, spans }) => {
      const big = taint('ab'.repeat(512 * 1024), [1000, 1_000_000]);
      const sum = rt.plus(rt.plus('x', big), big);
      assert.equal((sum as string).length, 1 + 2 * 1024 * 1024);
      assert.deepEqual(spans(sum), [
        [1001, 1_000_001],
        [1 + 1024 * 1024 + 1000, 1 + 1024 * 1024 + 1_000_000],
      ]);
      assert.deepEqual(spans(rt.slice(big, 999_999, 1_000_100)), [[0, 1]]);
    },
  },
  {
    name: 'the range cap keeps the first ranges',
    fn: ({ rt, taint, spans }) => {
      let s: unknown = '';
      for (let i = 0; i < 100; i++) s = rt.plus(rt.plus(s, taint(`v${i}`, [0, 2, i % 2 ? A : B])), ',');
      const got = spans(s);
      assert.equal(got.length, MAX_RANGES_PER_STRING);
      assert.deepEqual(got[0], [0, 2]);
      assert.deepEqual(got[10], [30, 32]);
    },
  },
  {
    name: '+ on numbers, booleans, null and bigints is the real +',
    fn: ({ rt }) => {
      assert.equal(rt.plus(1, 2), 3);
      assert.equal(rt.plus(1n, 2n), 3n);
      assert.equal(rt.plus(true, null), 1);
      assert.ok(Number.isNaN(rt.plus(undefined, 1)));
      assert.equal(rt.plus('1', 2), '12');
      assert.equal(rt.plus(1, '2'), '12');
      sameError(
        () => 1n + (1 as never),
        () => rt.plus(1n, 1),
      );
      sameError(
        () => `a${Symbol('s') as never}`,
        () => rt.plus('a', Symbol('s')),
      );
    },
  },
  {
    name: 'objects with toString/valueOf/Symbol.toPrimitive: same calls, same result, taint followed',
    fn: ({ rt, taint, spans }) => {
      const x = taint('evil', [0, 4]);
      const calls: string[] = [];
      const obj = {
        valueOf: () => {
          calls.push('valueOf');
          return x;
        },
        toString: () => {
          calls.push('toString');
          return 'nope';
        },
      };
      const sum = rt.plus('<', obj);
      assert.equal(sum, '<evil');
      assert.deepEqual(calls, ['valueOf']);
      assert.deepEqual(spans(sum), [[1, 5]]);
      calls.length = 0;
      const t = rt.tpl(['<', '>'], obj);
      assert.equal(t, '<nope>');
      assert.deepEqual(calls, ['toString']);
      const prim = { [Symbol.toPrimitive]: (hint: string) => (hint === 'default' ? x : 'other') };
      assert.deepEqual(spans(rt.plus(prim, '!')), [[0, 4]]);
      assert.equal(rt.plus(new Date(0), 1), new Date(0) + (1 as never));
      assert.equal(rt.plus({ valueOf: () => 2 }, 3), 5);
      sameError(
        // biome-ignore lint/style/useTemplate: `+` (default hint) is the operation under test
        () => ({ valueOf: () => ({}), toString: () => ({}) }) + '',
        () => rt.plus({ valueOf: () => ({}), toString: () => ({}) }, ''),
      );
      sameError(
        // biome-ignore lint/style/useTemplate: `+` (default hint) is the operation under test
        () => ({ [Symbol.toPrimitive]: 1 }) + '',
        () => rt.plus({ [Symbol.toPrimitive]: 1 }, ''),
      );
      assert.deepEqual(spans(rt.string(String, obj)), []);
      assert.deepEqual(spans(rt.string(String, { toString: () => x })), [[0, 4]]);
      assert.equal(rt.string(String), '');
      assert.equal(rt.string(String, Symbol('d')), 'Symbol(d)');
    },
  },
  {
    name: 'Symbol errors are identical',
    fn: ({ rt, taint }) => {
      const x = taint('abc', [0, 3]);
      const sym = Symbol('s');
      sameError(
        () => `${sym as never}`,
        () => rt.tpl(['', ''], sym),
      );
      sameError(
        () => 'a'.concat(sym as never),
        () => rt.concat(x, sym),
      );
      sameError(
        () => 'abc'.slice(sym as never),
        () => rt.slice(x, sym),
      );
      sameError(
        () => 'abc'.replace(sym as never, ''),
        () => rt.replace(x, sym, ''),
      );
      sameError(
        () => [sym].join(),
        () => rt.join([sym]),
      );
      sameError(
        () => (undefined as unknown as string).slice(1),
        () => rt.slice(undefined, 1),
      );
      sameError(
        () => (null as unknown as string).replace('a', 'b'),
        () => rt.replace(null, 'a', 'b'),
      );
    },
  },
  {
    name: 'shadowed methods on a String subclass or a plain object are called untouched',
    fn: ({ rt, taint, spans }) => {
      const x = taint('abcdef', [0, 6]);
      class Shadow extends String {
        override slice(): string {
          return `shadow:${this.valueOf()}`;
        }
      }
      const sub = new Shadow(x);
      assert.equal(rt.slice(sub, 1), 'shadow:abcdef');
      const plain = {
        slice(this: unknown, ...args: unknown[]) {
          return { self: this, args };
        },
      };
      assert.deepEqual(rt.slice(plain, 1, 2), { self: plain, args: [1, 2] });
      // A String object (not a primitive) with the real method: correct result, no range work.
      assert.equal(rt.slice(new String(x), 1, 3), 'bc');
      assert.throws(() => rt.slice({}, 1), /slice is not a function/);
      assert.throws(() => rt.slice(5, 1), TypeError);
      // A monkey-patched prototype is a user function: called with the receiver as `this`.
      const original = String.prototype.trim;
      String.prototype.trim = function (this: string) {
        return `patched:${this}`;
      };
      try {
        const r = rt.trim(x);
        assert.equal(r, 'patched:abcdef');
      } finally {
        String.prototype.trim = original;
      }
      assert.deepEqual(spans(rt.trim(x)), [[0, 6]]);
    },
  },
  {
    name: 'arguments.length is preserved for non-built-in callees',
    fn: ({ rt }) => {
      const obj = {
        concat(...args: unknown[]) {
          return args.length;
        },
      };
      assert.equal(rt.concat(obj), 0);
      assert.equal(rt.concat(obj, undefined), 1);
      assert.equal(rt.concat('a', undefined), 'aundefined');
    },
  },
  {
    name: 'case changes map 1:1, and follow length changes segment by segment',
    fn: ({ rt, taint, spans }) => {
      const x = taint('aßcİd', [1, 2], [3, 4]);
      const upper = rt.toUpperCase(x);
      assert.equal(upper, 'ASSCİD');
      assert.deepEqual(spans(upper), [
        [1, 3],
        [4, 5],
      ]);
      const lower = rt.toLowerCase(x);
      assert.equal(lower, 'aßci̇d');
      assert.deepEqual(spans(lower), [
        [1, 2],
        [3, 5],
      ]);
      assert.deepEqual(spans(rt.toLocaleUpperCase(taint('abc', [1, 2]), 'tr')), [[1, 2]]);
      assert.deepEqual(spans(rt.toLowerCase(taint('ΑΣ ΑΣ', [1, 2]))), [[1, 2]]);
    },
  },
  {
    name: 'normalize: segment by segment, the whole result when composition crosses a boundary',
    fn: ({ rt, taint, spans }) => {
      const decomposed = 'e\u0301';
      const x = taint(`a${decomposed}b`, [0, 3]);
      const nfc = rt.normalize(x, 'NFC');
      assert.equal(nfc, 'aéb');
      assert.deepEqual(spans(nfc), [[0, 2]]);
      const y = taint(`a${decomposed}b`, [2, 3, B]);
      const crossing = rt.normalize(y);
      assert.equal(crossing, 'aéb');
      assert.deepEqual(spans(crossing, true), [[0, 3, 'b', 0]]);
      assert.deepEqual(spans(rt.normalize(taint('éx', [1, 2]), 'NFD')), [[2, 3]]);
    },
  },
  {
    name: 'replace with string patterns: surviving text and the replacement keep their ranges',
    fn: ({ rt, taint, spans }) => {
      const x = taint('select NAME from t', [7, 11]);
      const r1 = rt.replace(x, 'NAME', taint('id', [0, 2, B]));
      assert.equal(r1, 'select id from t');
      assert.deepEqual(spans(r1, true), [[7, 9, 'b', 0]]);
      const y = taint('a-b-c', [0, 5]);
      const r2 = rt.replaceAll(y, '-', '+');
      assert.equal(r2, 'a+b+c');
      assert.deepEqual(spans(r2), [
        [0, 1],
        [2, 3],
        [4, 5],
      ]);
      const r3 = rt.replaceAll(taint('ab', [0, 2]), '', '.');
      assert.equal(r3, '.a.b.');
      assert.deepEqual(spans(r3), [
        [1, 2],
        [3, 4],
      ]);
      assert.equal(rt.replace(x, 'zzz', 'q'), x);
      assert.deepEqual(spans(rt.replace(x, 'zzz', 'q')), [[7, 11]]);
    },
  },
  {
    name: "replace with $ patterns: $& $` $' $n $nn $<name> $$ and literal $",
    fn: ({ rt, taint, spans }) => {
      const x = taint('key=VALUE;', [4, 9]);
      const r = rt.replace(x, /=(?<v>[A-Z]+)/, "[$&|$`|$'|$1|$<v>|$$|$9|$<x>]");
      assert.equal(r, 'key=VALUE;'.replace(/=(?<v>[A-Z]+)/, "[$&|$`|$'|$1|$<v>|$$|$9|$<x>]"));
      assert.equal(r, 'key[=VALUE|key|;|VALUE|VALUE|$|$9|];');
      assert.deepEqual(spans(r), [
        [5, 10],
        [17, 22],
        [23, 28],
      ]);
      const tpl = taint('<$1>', [0, 4, B]);
      const r2 = rt.replace(taint('abc', [1, 2]), /(b)/, tpl);
      assert.equal(r2, 'a<b>c');
      assert.deepEqual(spans(r2, true), [
        [1, 2, 'b', 0],
        [2, 3, 'a', 0],
        [3, 4, 'b', 0],
      ]);
    },
  },
  {
    name: 'replace with functions: same arguments and this, returned taint placed',
    fn: ({ rt, taint, spans }) => {
      const x = taint('a1b22c', [0, 6]);
      const calls: unknown[][] = [];
      const evil = taint('#', [0, 1, B]);
      const r = rt.replace(x, /(\d)(?<two>\d)?/g, function (this: unknown, ...args: unknown[]) {
        calls.push([this, ...args]);
        return evil;
      });
      assert.equal(r, 'a#b#c');
      const expected: unknown[][] = [];
      'a1b22c'.replace(/(\d)(?<two>\d)?/g, function (this: unknown, ...args: unknown[]) {
        expected.push([this, ...args.map((v) => (typeof v === 'string' && v.length > 5 ? x : v))]);
        return '#';
      });
      assert.deepEqual(calls, expected);
      assert.deepEqual(spans(r, true), [
        [0, 1, 'a', 0],
        [1, 2, 'b', 0],
        [2, 3, 'a', 0],
        [3, 4, 'b', 0],
        [4, 5, 'a', 0],
      ]);
      // An untainted receiver still gets the function's tainted output.
      const r2 = rt.replace('x-y', '-', () => evil);
      assert.deepEqual(spans(r2), [[1, 2]]);
      // The return value is converted exactly once.
      let conversions = 0;
      rt.replace(x, 'a', () => ({
        toString: () => {
          conversions++;
          return 'z';
        },
      }));
      assert.equal(conversions, 1);
      sameError(
        () => 'aa'.replaceAll(/a/, 'b'),
        () => rt.replaceAll(x, /a/, 'b'),
      );
    },
  },
  {
    name: 'replace differential: the result is always the built-in result',
    fn: ({ rt, taint }) => {
      const subjects = ['', 'a', 'aaa', 'x$y', 'héllo wörld', '😀a😀', 'A-B-C'];
      const patterns: unknown[] = ['a', '', '$', /a/, /a/g, /(a)|(b)/g, /(?<n>.)/gu, /$/, /^/gm, 1, null];
      const replacements = [
        '',
        '$',
        '$$',
        '$&$&',
        "$'",
        '$`',
        '$0',
        '$00',
        '$1',
        '$01',
        '$10',
        '$2x',
        '$<n>',
        '$<n',
        '$<>',
        'x$',
      ];
      for (const subject of subjects) {
        const tainted = taint(subject, [0, subject.length]);
        for (const pattern of patterns) {
          for (const replacement of replacements) {
            const expected = subject.replace(pattern as string, replacement);
            assert.equal(rt.replace(tainted, pattern, taint(replacement, [0, 1])), expected);
            if (!(pattern instanceof RegExp) || pattern.global) {
              assert.equal(
                rt.replaceAll(tainted, pattern, replacement),
                subject.replaceAll(pattern as string, replacement),
              );
            }
          }
        }
      }
    },
  },
  {
    name: 'split with RegExp separators and limits',
    fn: ({ rt, taint, spans }) => {
      const x = taint('a1bb22c', [0, 7]);
      const pieces = rt.split(x, /(\d+)/) as string[];
      assert.deepEqual(pieces, ['a', '1', 'bb', '22', 'c']);
      assert.deepEqual(
        pieces.map((p) => spans(p)),
        [[[0, 1]], [[0, 1]], [[0, 2]], [[0, 2]], [[0, 1]]],
      );
      assert.deepEqual(rt.split(x, '', 3), ['a', '1', 'b']);
      assert.deepEqual(spans((rt.split(taint('ab', [1, 2]), '') as string[])[1]), [[0, 1]]);
      assert.deepEqual(spans((rt.split(x, undefined) as string[])[0]), [[0, 7]]);
    },
  },
  {
    name: 'join on holes, nested arrays, objects and array-likes',
    fn: ({ rt, taint, spans }) => {
      const x = taint('evil', [0, 4]);
      const holes: unknown[] = [x];
      holes[2] = x;
      assert.equal(rt.join(holes), 'evil,,evil');
      assert.deepEqual(spans(rt.join(holes)), [
        [0, 4],
        [6, 10],
      ]);
      const nested = rt.join([[x, 'a'], { toString: () => 'o' }, x], ';');
      assert.equal(nested, 'evil,a;o;evil');
      assert.deepEqual(spans(nested), [[9, 13]]);
      const cyclic: unknown[] = [1];
      cyclic.push(cyclic);
      assert.equal(rt.join(cyclic), '1,');
      assert.equal(rt.join({ length: 2, 0: 'a', 1: 'b', join: Array.prototype.join }, '+'), 'a+b');
      let reads = 0;
      const accessor = [x];
      Object.defineProperty(accessor, 1, {
        get: () => {
          reads++;
          return x;
        },
      });
      assert.equal(rt.join(accessor), 'evil,evil');
      assert.equal(reads, 1);
    },
  },
  {
    name: 'JSON.parse taints string values (and escapes map back to their source text)',
    fn: ({ rt, taint, spans }) => {
      const text = taint('{"a":"x\\ny","b":["q",1,{"c":"\\u0041B"}],"d":"safe"}', [0, 38]);
      const o = rt.jsonParse(JSON, text) as { a: string; b: [string, number, { c: string }]; d: string };
      assert.deepEqual(o, { a: 'x\ny', b: ['q', 1, { c: 'AB' }], d: 'safe' });
      assert.deepEqual(spans(o.a), [[0, 3]]);
      assert.deepEqual(spans(o.b[0]), [[0, 1]]);
      assert.deepEqual(spans(o.b[2].c), [[0, 2]]);
      assert.deepEqual(spans(o.d), []);
      const partly = taint('["abcdef"]', [4, 6]);
      assert.deepEqual(spans((rt.jsonParse(JSON, partly) as string[])[0]), [[2, 4]]);
      assert.deepEqual(spans(rt.jsonParse(JSON, taint('"top"', [0, 5]))), [[0, 3]]);
      sameError(
        () => JSON.parse('{"a":"\\x"}'),
        () => rt.jsonParse(JSON, taint('{"a":"\\x"}', [0, 10])),
      );
      const seen: unknown[] = [];
      const revived = rt.jsonParse(JSON, text, function (this: unknown, key: string, value: unknown) {
        if (key === 'a') seen.push(spans(value));
        return key === 'd' ? undefined : value;
      }) as Record<string, unknown>;
      assert.deepEqual(seen, [[[0, 3]]]);
      assert.equal('d' in revived, false);
      assert.deepEqual(spans(revived.a), [[0, 3]]);
    },
  },
  {
    name: 'JSON.stringify places tainted strings through quoting and escaping',
    fn: ({ rt, taint, spans }) => {
      const x = taint('a"b\n😀\ud800', [0, 6]);
      const out = rt.jsonStringify(JSON, { k: 1, v: x, list: ['z', x] });
      assert.equal(out, JSON.stringify({ k: 1, v: 'a"b\n😀\ud800', list: ['z', 'a"b\n😀\ud800'] }));
      // Escaped: a"b\n😀 is a\"b\n😀 (8 units) after the opening quote.
      assert.deepEqual(spans(out), [
        [12, 20],
        [41, 49],
      ]);
      const replaced = rt.jsonStringify(
        JSON,
        { v: 'plain' },
        (_k: string, v: unknown) => (v === 'plain' ? x : v),
        2,
      );
      assert.equal(replaced, JSON.stringify({ v: x }, null, 2));
      const [first] = spans(replaced) as number[][];
      assert.equal((first?.[1] ?? 0) - (first?.[0] ?? 0), 8);
      assert.equal(rt.jsonStringify(JSON), undefined);
      assert.equal(rt.jsonStringify(JSON, { toJSON: () => x }), JSON.stringify(x));
      const big = { n: 10n };
      sameError(
        () => JSON.stringify(big),
        () => rt.jsonStringify(JSON, big),
      );
    },
  },
  {
    name: 'String.raw, nested templates and evalArg',
    fn: ({ rt, taint, spans }) => {
      const x = taint('v', [0, 1]);
      const strings = Object.freeze(Object.assign(['a\\n', 'b'], { raw: Object.freeze(['a\\n', 'b']) }));
      const raw = rt.stringRaw(String, strings as unknown as TemplateStringsArray, x, 'ignored');
      assert.equal(raw, 'a\\nvb');
      assert.deepEqual(spans(raw), [[3, 4]]);
      const inner = rt.tpl(['(', ')'], x);
      assert.deepEqual(spans(rt.tpl(['[', ']'], rt.tpl(['{', '}'], inner))), [[3, 4]]);
      assert.equal(rt.evalArg(x), x);
      assert.equal(rt.evalArg(42), 42);
    },
  },
  {
    name: 'secure marks are carried through every operation',
    fn: ({ rt, taint, spans }) => {
      const x = taint('Abc', [0, 3, A, 5]);
      assert.deepEqual(spans(rt.toLowerCase(rt.slice(rt.plus('q', x), 1)), true), [[0, 3, 'a', 5]]);
      assert.deepEqual(spans(rt.replace(x, 'b', 'B'), true), [
        [0, 1, 'a', 5],
        [2, 3, 'a', 5],
      ]);
    },
  },
  {
    name: 'two different tainted strings with equal text keep their own ranges',
    only: ['native'],
    why: 'the fallback engine keys taint by text: equal text is indistinguishable',
    fn: ({ taint, spans }) => {
      const a = taint('same', [0, 1]);
      const b = taint('same', [2, 4, B]);
      assert.deepEqual(spans(a), [[0, 1]]);
      assert.deepEqual(spans(b), [[2, 4]]);
    },
  },
  {
    name: 'an untainted string with the text of a tainted one is not tainted',
    only: ['native'],
    why: 'the fallback engine keys taint by text: equal text is indistinguishable',
    fn: ({ taint, engine }) => {
      taint('secret', [0, 6]);
      assert.equal(engine.isTainted(['sec', 'ret'].join('')), false);
    },
  },
);

runCases(cases);

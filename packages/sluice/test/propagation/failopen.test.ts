import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPropagationRuntime } from '../../src/propagation/runtime.js';
import type { Range, TaintEngine } from '../../src/taint/types.js';

// An engine that reports "evil" as tainted but fails whenever asked to create a tainted
// string: every helper must still return exactly what the original operation returns.
const range: Range = Object.freeze({
  start: 0,
  end: 4,
  source: Object.freeze({ origin: 'custom' as const, name: 'x', value: 'evil' }),
  marks: 0,
});
const broken: TaintEngine = {
  kind: 'native',
  taint: () => {
    throw new Error('engine bug');
  },
  getRanges: (value) => (typeof value === 'string' && value.includes('evil') ? [range] : undefined),
  isTainted: (value) => typeof value === 'string' && value.includes('evil'),
  stats: () => ({ liveStrings: 1, liveBytes: 8, created: 1 }),
  runInScope: (fn) => fn(),
};

test('a failing propagation step never reaches the application: results are the originals', () => {
  const rt = createPropagationRuntime(broken);
  const s = 'evil';
  assert.equal(rt.plus('a', s), 'aevil');
  assert.equal(rt.plus({ toString: () => s }, 1), 'evil1');
  assert.equal(rt.tpl(['<', '>'], s), '<evil>');
  assert.equal(rt.slice(s, 1), 'vil');
  assert.equal(rt.toUpperCase(s), 'EVIL');
  assert.equal(rt.normalize(s), 'evil');
  assert.equal(rt.padStart(s, 6, s), 'evevil');
  assert.equal(rt.repeat(s, 2), 'evilevil');
  assert.equal(rt.concat(s, 1), 'evil1');
  assert.equal(rt.replace(s, 'v', 'V'), 'eVil');
  assert.equal(rt.replace(s, /(v)/, '[$1]'), 'e[v]il');
  assert.equal(
    rt.replace('xx', 'x', () => s),
    'evilx',
  );
  assert.deepEqual(rt.split(s, 'v'), ['e', 'il']);
  assert.equal(rt.join([s, s], '-'), 'evil-evil');
  assert.deepEqual(rt.jsonParse(JSON, '{"a":"evil"}'), { a: 'evil' });
  assert.deepEqual(
    rt.jsonParse(JSON, '{"a":"evil"}', (_k: string, v: unknown) => v),
    { a: 'evil' },
  );
  assert.equal(rt.jsonStringify(JSON, { a: s }), '{"a":"evil"}');
  assert.equal(
    rt.stringRaw(
      String,
      Object.freeze(Object.assign(['a', 'b'], { raw: Object.freeze(['a', 'b']) })) as never,
      s,
    ),
    'aevilb',
  );
});

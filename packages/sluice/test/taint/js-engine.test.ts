import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createJsEngine } from '../../src/taint/js-engine.js';
import type { Range, Source } from '../../src/taint/types.js';

const A: Source = { origin: 'http.request.parameter', name: 'q', value: 'abc' };
const r = (start: number, end: number): Range => ({ start, end, source: A, marks: 0 });

test('outside any scope taint() returns the value untouched and nothing is tainted', () => {
  const engine = createJsEngine();
  assert.equal(engine.taint('abc', [r(0, 3)]), 'abc');
  assert.equal(engine.isTainted('abc'), false);
  assert.equal(engine.getRanges('abc'), undefined);
  assert.equal(engine.hasTaint(), false);
});

test('inside a scope taint is keyed by value, normalised, and follows async work', async () => {
  const engine = createJsEngine();
  await engine.runInScope(async () => {
    assert.equal(engine.taint('abcdef', [r(4, 9), r(0, 2)]), 'abcdef');
    assert.deepEqual(
      engine.getRanges('abc' + 'def')?.map((x) => [x.start, x.end]),
      [
        [0, 2],
        [4, 6],
      ],
    );
    await delay(1);
    assert.equal(engine.isTainted('abcdef'), true);
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        assert.equal(engine.isTainted('abcdef'), true);
        resolve();
      }),
    );
    // Less precise by design: equal text is indistinguishable.
    assert.equal(engine.isTainted(['abc', 'def'].join('')), true);
    assert.equal(engine.hasTaint(), true);
    assert.equal(engine.stats().liveStrings, 1);
    assert.equal(engine.stats().liveBytes, 12);
  });
  assert.equal(engine.isTainted('abcdef'), false);
});

test('scopes are separate and the empty string is never tainted', () => {
  const engine = createJsEngine();
  engine.runInScope(() => {
    engine.taint('x1', [r(0, 1)]);
    engine.runInScope(() => assert.equal(engine.isTainted('x1'), false));
    assert.equal(engine.taint('', [r(0, 1)]), '');
    assert.equal(engine.isTainted(''), false);
    assert.equal(engine.taint('y', []), 'y');
    assert.equal(engine.isTainted('y'), false);
  });
  assert.equal(engine.stats().created, 1);
});

test('bad input is a clear TypeError; look-ups never throw', () => {
  const engine = createJsEngine();
  assert.throws(() => engine.taint(1 as never, []), /expected a string/);
  engine.runInScope(() => assert.throws(() => engine.taint('a', null as never), /ranges must be an array/));
  for (const v of [undefined, null, 1, {}, Symbol('s'), 1n]) {
    assert.equal(engine.isTainted(v), false);
    assert.equal(engine.getRanges(v), undefined);
  }
});

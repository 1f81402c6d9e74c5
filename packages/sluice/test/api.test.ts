import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getRanges, isEnabled, isTainted, markSanitized, taint } from '../src/api.js';
import { publishRuntime, unpublishRuntime } from '../src/propagation/install.js';
import { markBit } from '../src/vulnerability-types.js';
import { engines } from './propagation/engines.js';

test('without a running agent every function is a no-op', () => {
  unpublishRuntime();
  assert.equal(isEnabled(), false);
  const message = { body: 'x' };
  assert.equal(taint('data', { origin: 'custom', name: 'queue' }), 'data');
  assert.equal(taint(message), message);
  assert.equal(isTainted('data'), false);
  assert.deepEqual(getRanges('data'), []);
  assert.equal(markSanitized('data', 'SQL_INJECTION'), 'data');
});

test('bad input gets a clear TypeError, with or without an agent', () => {
  assert.throws(() => taint('x', { origin: 'kafka' as never }), /unknown origin "kafka"/);
  assert.throws(() => taint('x', { name: 1 as never }), /name must be a string/);
  assert.throws(() => markSanitized('x', 'XSS_TYPO' as never), /"XSS_TYPO" is not a taint-based type/);
  assert.throws(() => markSanitized('x', [] as never), /one or more vulnerability types/);
  assert.throws(() => markSanitized('x', 'WEAK_HASH' as never), /not a taint-based type/);
});

for (const { kind, engine } of engines()) {
  test(`[${kind}] taint, isTainted, getRanges and markSanitized through the running agent`, () => {
    publishRuntime(engine);
    try {
      assert.equal(isEnabled(), true);
      engine.runInScope(() => {
        const frame = taint('{"cmd":"ls"}', { name: 'ws.frame' });
        assert.equal(frame, '{"cmd":"ls"}');
        assert.equal(isTainted(frame), true);
        const [range] = getRanges(frame);
        assert.deepEqual(
          { start: range?.start, end: range?.end, marks: range?.marks, source: { ...range?.source } },
          {
            start: 0,
            end: 12,
            marks: 0,
            source: { origin: 'custom', name: 'ws.frame', value: '{"cmd":"ls"}' },
          },
        );
        assert.equal(taint(''), '');
        assert.equal(taint(42), 42);

        const message = { id: 7, user: { name: 'eve', tags: ['a', 'b'] } };
        message.user = Object.assign(message.user, { self: message });
        assert.equal(taint(message, { origin: 'custom', name: 'sqs' }), message);
        assert.equal(isTainted(message.user.name), true);
        assert.equal(getRanges(message.user.tags[1])[0]?.source.name, 'sqs.user.tags.1');
        assert.equal(isTainted(message.id), false);
        const frozen = Object.freeze({ s: 'zz' });
        assert.equal(taint(frozen), frozen);

        const safe = markSanitized(frame, ['SQL_INJECTION', 'XSS']);
        assert.equal(safe, frame);
        assert.equal(getRanges(safe)[0]?.marks, markBit('SQL_INJECTION') | markBit('XSS'));
        assert.equal(markSanitized('untainted text', 'XSS'), 'untainted text');
        assert.equal(markSanitized(5, 'XSS'), 5);
      });
    } finally {
      unpublishRuntime();
    }
    assert.equal(isEnabled(), false);
  });
}

test('[native] the source keeps an untainted copy when a tainted string is tainted again', () => {
  const native = engines().find((e) => e.kind === 'native');
  assert.ok(native, 'the native engine is part of the build');
  publishRuntime(native.engine);
  try {
    const once = taint('abc', { name: 'one' });
    const twice = taint(once, { name: 'two' });
    const source = getRanges(twice)[0]?.source;
    assert.equal(source?.name, 'two');
    assert.equal(isTainted(source?.value), false);
  } finally {
    unpublishRuntime();
  }
});

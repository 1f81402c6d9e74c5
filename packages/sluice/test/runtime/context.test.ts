import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpRequestStartMessage } from '../../src/channels.js';
import { Deduplicator } from '../../src/context/dedup.js';
import { ContextManager } from '../../src/context/manager.js';

function message(): HttpRequestStartMessage {
  return { req: { headers: {} }, res: {}, secure: false } as unknown as HttpRequestStartMessage;
}

test('sampling admits exactly the configured share of requests', () => {
  const ended: unknown[] = [];
  const m = new ContextManager(
    { requestSampling: 30, maxConcurrentRequests: 0, maxContextOperations: 2 },
    () => undefined,
    (c) => ended.push(c),
  );
  let admitted = 0;
  for (let i = 0; i < 100; i++) {
    const msg = message();
    m.run(msg, () => {
      if (m.current()) admitted++;
    });
    m.end(msg.res);
  }
  assert.equal(admitted, 30);
  assert.equal(ended.length, 30);
  assert.equal(m.active, 0);
});

test('the concurrency cap leaves further requests unanalysed until one ends', () => {
  const m = new ContextManager(
    { requestSampling: 100, maxConcurrentRequests: 2, maxContextOperations: 2 },
    () => undefined,
    () => {},
  );
  const msgs = [message(), message(), message()];
  const got = msgs.map((msg) => m.run(msg, () => m.current()));
  assert.ok(got[0] && got[1]);
  assert.equal(got[2], undefined);
  m.end(msgs[0]?.res as never);
  const again = message();
  assert.ok(m.run(again, () => m.current()));
  assert.equal(m.stats().active, 2);
});

test('context: current() follows async work and ends with the response', async () => {
  const m = new ContextManager(
    { requestSampling: 100, maxConcurrentRequests: 0, maxContextOperations: 3 },
    () => undefined,
    () => {},
  );
  const msg = message();
  const ctx = await (m.run(msg, async () => {
    await new Promise((r) => setTimeout(r, 5));
    return m.current();
  }) as Promise<unknown>);
  assert.ok(ctx);
  assert.equal((ctx as { quota: number }).quota, 3);
  m.end(msg.res);
  assert.equal(
    m.run(message(), () => m.outside(() => m.current())),
    undefined,
  );
});

test('deduplicator: LRU of bounded size, cleared on reset', () => {
  const d = new Deduplicator(2, 60_000);
  assert.equal(d.firstTime('a'), true);
  assert.equal(d.firstTime('a'), false);
  assert.equal(d.firstTime('b'), true);
  assert.equal(d.firstTime('c'), true); // evicts the least recently seen: 'a' was touched before 'b'
  assert.equal(d.firstTime('a'), true);
  d.clear();
  assert.equal(d.firstTime('b'), true);
  d.stop();
});

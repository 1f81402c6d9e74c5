import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, Failures } from '../../src/errors.js';
import { AgentExporter, FileExporter } from '../../src/report/exporter.js';
import type { TraceSpan } from '../../src/report/span.js';
import { TestAgent } from '../e2e/helpers.js';

function span(id: number): TraceSpan {
  return {
    trace_id: BigInt(id),
    span_id: BigInt(id),
    parent_id: 0n,
    name: 'web.request',
    service: 'svc',
    resource: 'GET',
    type: 'web',
    start: 1n,
    duration: 2n,
    error: 0,
    meta: {},
    metrics: { '_dd.iast.enabled': 1 },
  };
}

const failures = () => new Failures(createLogger('off'));

/** The exporter's backoff timers are unref'd (they never keep an app alive); keep the test alive. */
async function flush(exporter: { flush(): Promise<void> }): Promise<void> {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await exporter.flush();
  } finally {
    clearInterval(keepAlive);
  }
}

test('agent exporter: batches to /v0.4/traces and retries after a failure', async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  let failuresLeft = 2;
  // A flaky front: the first two attempts get a 503.
  const front = http.createServer((req, res) => {
    if (failuresLeft-- > 0) {
      req.resume();
      res.writeHead(503).end();
      return;
    }
    const proxy = http.request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 500);
      r.pipe(res);
    });
    req.pipe(proxy);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const exporter = new AgentExporter({
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    failures: failures(),
    tracerVersion: 't',
    backoffMs: 10,
  });
  for (let i = 1; i <= 3; i++) exporter.export(span(i));
  await flush(exporter);
  assert.deepEqual(
    agent.spans.map((s) => s.span_id),
    [1n, 2n, 3n],
  );
  assert.deepEqual(exporter.stats(), { sent: 3, dropped: 0, failedBatches: 0 });
  front.close();
  await agent.stop();
});

test('agent exporter: a down agent drops the batch after retries and counts it', async () => {
  const f = failures();
  const exporter = new AgentExporter({
    url: 'http://127.0.0.1:9',
    failures: f,
    tracerVersion: 't',
    backoffMs: 5,
    retries: 2,
  });
  exporter.export(span(1));
  await flush(exporter);
  assert.deepEqual(exporter.stats(), { sent: 0, dropped: 1, failedBatches: 1 });
  assert.equal(f.count('SLUICE_ERR_EXPORT'), 1);
});

test('agent exporter: a slow agent times out instead of hanging', async () => {
  const agent = new TestAgent();
  agent.delayMs = 2000;
  const url = await agent.start();
  const exporter = new AgentExporter({
    url,
    failures: failures(),
    tracerVersion: 't',
    retries: 0,
    timeoutMs: 200,
  });
  exporter.export(span(1));
  const started = Date.now();
  await flush(exporter);
  assert.ok(Date.now() - started < 1500);
  assert.equal(exporter.stats().dropped, 1);
  await agent.stop();
});

test('agent exporter: the queue is bounded and counts what it drops', () => {
  const f = failures();
  const exporter = new AgentExporter({
    url: 'http://127.0.0.1:9',
    failures: f,
    tracerVersion: 't',
    maxQueue: 5,
  });
  for (let i = 0; i < 8; i++) exporter.export(span(i + 1));
  assert.equal(exporter.pending(), 5);
  assert.equal(exporter.stats().dropped, 3);
  assert.equal(f.count('SLUICE_ERR_EXPORT_QUEUE_FULL'), 1);
});

test('file exporter: one span JSON per line', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-jsonl-')), 'report.jsonl');
  const exporter = new FileExporter(file, failures());
  exporter.export(span(1));
  exporter.export(span(2));
  await flush(exporter);
  exporter.export(span(3));
  exporter.flushSync();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).span_id),
    ['1', '2', '3'],
  );
});

test('agent exporter: a full batch is sent without waiting for the flush timer', async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  const exporter = new AgentExporter({ url, failures: failures(), tracerVersion: 't', maxBatch: 3 });
  for (let i = 1; i <= 3; i++) exporter.export(span(i));
  await agent.waitFor(() => agent.spans.length === 3, 5000);
  assert.equal(exporter.pending(), 0);
  await agent.stop();
});

test('agent exporter: spans queued during a send wait for a full batch, not a request each', async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  // A slow agent: every span exported meanwhile arrives while a batch is in flight.
  agent.delayMs = 100;
  const exporter = new AgentExporter({ url, failures: failures(), tracerVersion: 't', maxBatch: 10 });
  const keepAlive = setInterval(() => {}, 1000);
  try {
    for (let i = 1; i <= 10; i++) exporter.export(span(i));
    // The first full batch is on its way; the next 25 spans come in one at a time.
    for (let i = 11; i <= 35; i++) {
      await new Promise((r) => setTimeout(r, 5));
      exporter.export(span(i));
    }
    await agent.waitFor(() => agent.spans.length === 30, 5000);
    // Three full batches, and what is left waits for the flush timer (here: the flush below).
    assert.equal(exporter.pending(), 5);
    while (exporter.busy) await new Promise((r) => setTimeout(r, 10));
    await exporter.flush();
    assert.equal(agent.spans.length, 35);
    assert.equal(agent.requests.filter((r) => r.url === '/v0.4/traces').length, 4);
  } finally {
    clearInterval(keepAlive);
    await agent.stop();
  }
});

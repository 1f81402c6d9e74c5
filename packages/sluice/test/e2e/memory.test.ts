// Memory: requests through an express app under Sluice (sources, findings, spans, export)
// leave no contexts, taint or findings behind: the heap returns to its start level.
// The 100,000-request version is bench/memory-express.mjs; this one is kept short.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { INIT, type RunningApp, startApp, TestAgent } from './helpers.js';

const ROUND = Number(process.env.SLUICE_MEMORY_REQUESTS ?? 2_000);
const ROUNDS = 3;

async function drive(port: number, count: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const body = JSON.stringify({ name: 'widget', tags: ['a', 'b'], nested: { deep: 'value' } });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await new Promise<void>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: `/items/${i}?q=term${i}`,
            headers: { 'content-type': 'application/json', cookie: `sid=s${i}`, 'x-request': `r${i}` },
          },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
}

/** The smaller of two readings (each after gc): one reading can catch a transient allocation. */
async function heap(port: number): Promise<number> {
  const a = await heapOnce(port);
  const b = await heapOnce(port);
  return Math.min(a, b);
}

async function heapOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: '/__heap' }, (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => resolve(JSON.parse(data).heapUsed));
      })
      .on('error', reject);
  });
}

test(`memory: ${ROUNDS} rounds of ${ROUND} express requests under Sluice, heap back to its start level`, async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  let app: RunningApp | undefined;
  try {
    app = await startApp('memory-app.cjs', {
      preload: ['--expose-gc', '--require', INIT],
      env: { DD_TRACE_AGENT_URL: url, SLUICE_IAST_DEDUPLICATION_ENABLED: 'false' },
    });
    let sent = 0;
    // Every request ends in one span: once all arrived, nothing waits in the export queue.
    const drained = async () => {
      await agent.waitFor(() => agent.spans.length >= sent, 60_000);
      // ...and the exporter has read the agent's answer, releasing the batch.
      await new Promise((r) => setTimeout(r, 500));
    };
    await drive(app.port, 1000);
    sent += 1000;
    await drained();
    const start = await heap(app.port);
    sent += 2;
    const after: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await drive(app.port, ROUND);
      sent += ROUND;
      await drained();
      after.push((await heap(app.port)) - start);
      sent += 2;
    }
    const mb = after.map((b) => (b / 1024 / 1024).toFixed(2)).join(', ');
    assert.ok(agent.spans.length >= ROUND, `spans arrived (${agent.spans.length})`);
    // No growth with the number of requests: the last round ends where the first one did.
    assert.ok(
      (after[ROUNDS - 1] ?? 0) - (after[0] ?? 0) < 3 * 1024 * 1024,
      `heap growth by round (MB): ${mb}`,
    );
    assert.ok(Math.max(...after) < 16 * 1024 * 1024, `heap growth by round (MB): ${mb}`);
  } finally {
    await app?.stop();
    await agent.stop();
  }
});

// Memory: requests through an express app under Sluice (sources, findings, spans, export)
// leave no contexts, taint or findings behind. After the load, once the exporter has sent (or,
// with the agent down, dropped and counted) every span, and after GC, the heap is back at the
// level measured after warm-up and no tainted string is alive. Readings are taken over IPC, outside
// any request, while the client's keep-alive connections stay open: an idle connection must not
// keep its last request alive. The 100,000-request version is bench/memory-express.mjs.
// See docs/internals/memory.md.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { APPS, INIT } from './helpers.js';

const ROUND = Number(process.env.SLUICE_MEMORY_REQUESTS ?? 4_000);
const WARM_UP = 2_000;
const MB = 1024 * 1024;
/** "Back at the start level": within 2 MB or 10% of it, whichever is larger. */
const tolerance = (start: number) => Math.max(2 * MB, start / 10);
/**
 * Tainted strings the application itself may keep: express 4's router layer holds the last
 * matched request's `params` and `path`.
 */
const APP_HELD_STRINGS = 4;
/** The exporter's bound: a queue of 1000 spans plus one batch of 200 in flight. */
const MAX_QUEUE = 1000;

interface Reading {
  heapUsed: number;
  peak: number;
  taint: { liveStrings: number; liveBytes: number; created: number };
  requests: { seen: number; admitted: number; active: number };
  exporter: { sent: number; dropped: number; failedBatches: number };
  pending: number;
  connections: number;
}

/** A trace agent that only counts the spans it receives (decoding 20,000 spans would weigh on the run). */
class CountingAgent {
  received = 0;
  readonly #server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      this.received += Number(req.headers['x-datadog-trace-count'] ?? 0);
      res.end('{"rate_by_service":{}}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }
}

/** An unused port: an agent URL where nothing listens. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

class MemoryApp {
  readonly #client = new http.Agent({ keepAlive: true, maxSockets: 8 });
  #child: ChildProcess | undefined;
  #port = 0;
  #stderr = '';
  #sent = 0;

  async start(agentUrl: string): Promise<void> {
    const child = spawn(process.execPath, ['--expose-gc', '--require', INIT, 'memory-app.cjs'], {
      cwd: APPS,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SLUICE_IAST_ENABLED: 'true',
        SLUICE_LOG_LEVEL: 'error',
        // Every request reports its findings: the most spans, stacks and frames per request.
        SLUICE_IAST_DEDUPLICATION_ENABLED: 'false',
        DD_TRACE_AGENT_URL: agentUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString();
    });
    this.#port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`app did not start: ${this.#stderr}`)), 15_000);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PORT=(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`app exited with ${code}: ${this.#stderr}`)));
    });
  }

  /** `count` requests over 8 keep-alive connections, which stay open afterwards. */
  async drive(count: number): Promise<void> {
    const body = JSON.stringify({ name: 'widget', tags: ['a', 'b'], nested: { deep: 'value' } });
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = this.#sent + next++;
        await new Promise<void>((resolve, reject) => {
          const req = http.request(
            {
              agent: this.#client,
              port: this.#port,
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
    this.#sent += count;
  }

  /** The heap after GC and Sluice's counters, read in the app outside any request. */
  read(): Promise<Reading> {
    const child = this.#child as ChildProcess;
    return new Promise((resolve) => {
      child.once('message', (m) => resolve(m as Reading));
      child.send('heap');
    });
  }

  /** Reads until every admitted request's span has left the exporter (sent or dropped). */
  async settled(timeoutMs = 60_000): Promise<Reading> {
    const deadline = Date.now() + timeoutMs;
    let peak = 0;
    for (;;) {
      const r = await this.read();
      // Each reading's peak covers the time since the previous reading.
      peak = Math.max(peak, r.peak);
      const done = r.exporter.sent + r.exporter.dropped;
      if (r.requests.active === 0 && done === r.requests.admitted) return { ...r, peak };
      if (Date.now() > deadline)
        throw new Error(`exporter not settled: ${JSON.stringify(r)}\n${this.#stderr}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  async stop(): Promise<void> {
    this.#client.destroy();
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const mb = (bytes: number) => (bytes / MB).toFixed(2);

test(`memory, agent up: ${4 * ROUND} express requests under Sluice, heap and taint back to the start level`, async (t) => {
  const agent = new CountingAgent();
  const url = await agent.start();
  const app = new MemoryApp();
  try {
    await app.start(url);
    await app.drive(WARM_UP);
    const start = await app.settled();
    const log = [`start ${mb(start.heapUsed)} MB`];
    let last = start;
    for (let round = 0; round < 4; round++) {
      await app.drive(ROUND);
      last = await app.settled();
      log.push(
        `+${ROUND}: ${mb(last.heapUsed)} MB (peak ${mb(last.peak)}), ${last.taint.liveStrings} tainted`,
      );
      // Still connected: the 8 idle keep-alive connections hold no request's context.
      assert.equal(last.connections, 8, log.join('; '));
      assert.ok(last.heapUsed - start.heapUsed <= tolerance(start.heapUsed), log.join('; '));
    }
    t.diagnostic(log.join('; '));
    const total = WARM_UP + 4 * ROUND;
    assert.equal(last.requests.admitted, total);
    // Every span went to the agent; none was dropped.
    assert.deepEqual(
      { sent: last.exporter.sent, dropped: last.exporter.dropped, received: agent.received },
      { sent: total, dropped: 0, received: total },
    );
    // Each request made about 25 tainted strings; none outlives its request.
    assert.ok(last.taint.created >= total * 10, `tainted strings created: ${last.taint.created}`);
    assert.ok(last.taint.liveStrings <= APP_HELD_STRINGS, log.join('; '));
  } finally {
    await app.stop();
    await agent.stop();
  }
});

test('memory, agent down: the export queue stays bounded, drops are counted, the heap returns', async (t) => {
  const app = new MemoryApp();
  try {
    await app.start(await closedPortUrl());
    await app.drive(WARM_UP);
    const start = await app.settled();
    const log = [`start ${mb(start.heapUsed)} MB`];
    for (let round = 0; round < 3; round++) {
      await app.drive(ROUND);
      // Right after the load, before the exporter gave up on what it holds.
      const busy = await app.read();
      log.push(`+${ROUND}: ${mb(busy.heapUsed)} MB with ${busy.pending} queued`);
      assert.ok(busy.pending <= MAX_QUEUE, log.join('; '));
      // What is held is the queue: at most 1200 spans, not the requests served.
      assert.ok(busy.heapUsed - start.heapUsed <= 32 * MB, log.join('; '));
    }
    const end = await app.settled();
    log.push(`end ${mb(end.heapUsed)} MB, ${end.taint.liveStrings} tainted`);
    t.diagnostic(log.join('; '));
    const total = WARM_UP + 3 * ROUND;
    assert.deepEqual({ sent: end.exporter.sent, dropped: end.exporter.dropped }, { sent: 0, dropped: total });
    assert.ok(end.exporter.failedBatches > 0);
    assert.equal(end.pending, 0);
    assert.ok(end.heapUsed - start.heapUsed <= tolerance(start.heapUsed), log.join('; '));
    assert.ok(end.taint.liveStrings <= APP_HELD_STRINGS, `live tainted strings: ${end.taint.liveStrings}`);
  } finally {
    await app.stop();
  }
});

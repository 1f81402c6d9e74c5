// Memory and request overhead of the agent at runtime: an express app
// (packages/sluice/test/fixtures/apps/memory-app.cjs: JSON body, params, query, cookies, a weak
// hash, a cookie and an HTML response on every request) driven with N requests (default
// 100,000) over 8 keep-alive connections, plain and under `--require sluice/init` with
// deduplication off (so that every request makes findings, spans and stacks). A local agent
// receives the spans (with --agent-down nothing listens at the agent URL and the exporter drops).
// Readings come from the app over IPC, outside any request, with the connections still open:
// the heap after GC once every span has left the exporter (sent or dropped), the highest heap
// sampled in between (garbage included), live tainted strings. Prints them after warm-up, after
// each tenth of the run and at the end, and requests per second as a ratio against plain.
// See docs/internals/memory.md.
// Usage: node bench/memory-express.mjs [--requests N] [--agent-down]   (needs npm run build)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const init = join(root, 'packages/sluice/dist/src/init.js');
const apps = join(root, 'packages/sluice/test/fixtures/apps');
const total = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 100_000;
const agentDown = process.argv.includes('--agent-down');
const WARM_UP = 2000;
const MB = 1024 * 1024;
const mb = (bytes) => (bytes / MB).toFixed(2);

let received = 0;
const agent = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received += Number(req.headers['x-datadog-trace-count'] ?? 0);
    res.end('{}');
  });
});
await new Promise((r) => agent.listen(0, '127.0.0.1', r));
const agentUrl = `http://127.0.0.1:${agent.address().port}`;
if (agentDown) await new Promise((r) => agent.close(r));

async function run(withSluice) {
  received = 0;
  const args = ['--expose-gc', ...(withSluice ? ['--require', init] : []), 'memory-app.cjs'];
  const child = spawn(process.execPath, args, {
    cwd: apps,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      SLUICE_IAST_ENABLED: String(withSluice),
      SLUICE_LOG_LEVEL: 'error',
      SLUICE_IAST_DEDUPLICATION_ENABLED: process.env.DEDUP ?? 'false',
      DD_TRACE_AGENT_URL: agentUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve) =>
    child.stdout.on('data', (d) => {
      const m = /PORT=(\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    }),
  );
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const body = JSON.stringify({ name: 'widget', tags: ['a', 'b'], nested: { deep: 'value' } });
  let sent = 0;
  const drive = async (count) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const i = sent + next++;
          await new Promise((resolve, reject) => {
            const req = http.request(
              {
                agent: keepAlive,
                port,
                host: '127.0.0.1',
                method: 'POST',
                path: `/items/${i}?q=t${i}`,
                headers: { 'content-type': 'application/json', cookie: `sid=s${i}` },
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
      }),
    );
    sent += count;
  };
  const read = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('heap');
    });
  // Every span has left the exporter: sent to the agent, or dropped and counted. Each reading
  // answers the peak since the previous one: the highest of all readings is the peak since the last.
  const settled = async () => {
    let peak = 0;
    for (;;) {
      const r = await read();
      peak = Math.max(peak, r.peak);
      const done =
        !withSluice ||
        (r.requests.active === 0 && r.exporter.sent + r.exporter.dropped === r.requests.admitted);
      if (done) return { ...r, peak };
      await new Promise((res) => setTimeout(res, 250));
    }
  };
  await drive(WARM_UP);
  const start = await settled();
  const tenths = [];
  let peak = start.peak;
  let busy = 0;
  let last = start;
  for (let tenth = 0; tenth < 10; tenth++) {
    const t0 = process.hrtime.bigint();
    await drive(total / 10);
    busy += Number(process.hrtime.bigint() - t0) / 1e9;
    last = await settled();
    peak = Math.max(peak, last.peak);
    tenths.push(mb(last.heapUsed - start.heapUsed));
  }
  const exitCode = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exitCode;
  keepAlive.destroy();
  return { rps: total / busy, start, end: last, peak, tenths, received, sent };
}

const plain = await run(false);
const sluice = await run(true);
const e = sluice.end;
console.log(`requests: ${total} after ${WARM_UP} warm-up (8 keep-alive connections, open at each reading)`);
console.log(
  `exporter: ${e.exporter.sent} spans sent, ${e.exporter.dropped} dropped, agent received ${sluice.received}${agentDown ? ' (agent down)' : ''}`,
);
console.log(`plain : ${plain.rps.toFixed(0)} req/s; heap growth by tenth (MB): ${plain.tenths.join(' ')}`);
console.log(`sluice: ${sluice.rps.toFixed(0)} req/s; heap growth by tenth (MB): ${sluice.tenths.join(' ')}`);
console.log(
  `sluice heap (MB): warm start ${mb(sluice.start.heapUsed)}, peak sampled ${mb(sluice.peak)} (garbage included), ` +
    `end after GC ${mb(e.heapUsed)} (${e.heapUsed >= sluice.start.heapUsed ? '+' : ''}${mb(e.heapUsed - sluice.start.heapUsed)})`,
);
console.log(
  `tainted strings: ${e.taint.created} created, ${e.taint.liveStrings} alive at the end (${e.taint.liveBytes} bytes)`,
);
console.log(
  `plain heap (MB): warm start ${mb(plain.start.heapUsed)}, end after GC ${mb(plain.end.heapUsed)}`,
);
console.log(`throughput ratio sluice/plain: ${(sluice.rps / plain.rps).toFixed(2)}`);
if (!agentDown) agent.close();

// Memory and request overhead of the agent at runtime: an express app
// (packages/sluice/test/fixtures/apps/memory-app.cjs: JSON body, params, query, cookies, a weak
// hash, a cookie and an HTML response on every request) driven with N requests (default
// 100,000) over 8 keep-alive connections, plain and under `--require sluice/init` with
// deduplication off (so that every request makes findings, spans and stacks). A local agent
// receives the spans. Prints the heap after each tenth of the run (after gc, export drained)
// and requests per second as a ratio against plain in the same run.
// Usage: node bench/memory-express.mjs [--requests N]   (needs npm run build)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const init = join(root, 'packages/sluice/dist/src/init.js');
const apps = join(root, 'packages/sluice/test/fixtures/apps');
const total = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 100_000;

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

async function run(withSluice) {
  received = 0;
  const args = ['--expose-gc', ...(withSluice ? ['--require', init] : []), 'memory-app.cjs'];
  const child = spawn(process.execPath, args, {
    cwd: apps,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      SLUICE_IAST_ENABLED: String(withSluice),
      SLUICE_IAST_DEDUPLICATION_ENABLED: process.env.DEDUP ?? 'false',
      DD_TRACE_AGENT_URL: agentUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
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
          const i = next++;
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
  const heap = async () => {
    // Spans may be dropped (bounded queue): wait until the agent stops receiving.
    if (withSluice) {
      let last = -1;
      while (received < sent && received !== last) {
        last = received;
        await new Promise((r) => setTimeout(r, 1500));
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    sent++;
    return new Promise((resolve) =>
      http.get({ port, host: '127.0.0.1', path: '/__heap', agent: keepAlive }, (res) => {
        let d = '';
        res.on('data', (c) => {
          d += c;
        });
        res.on('end', () => resolve(JSON.parse(d)));
      }),
    );
  };
  await drive(2000);
  const start = await heap();
  const heaps = [];
  let busy = 0;
  for (let tenth = 0; tenth < 10; tenth++) {
    const t0 = process.hrtime.bigint();
    await drive(total / 10);
    busy += Number(process.hrtime.bigint() - t0) / 1e9;
    const h = await heap();
    heaps.push(((h.heapUsed - start.heapUsed) / 1048576).toFixed(2));
    if (withSluice && tenth === 9) console.log(`  taint: ${JSON.stringify(h.taint)}`);
  }
  child.kill('SIGTERM');
  keepAlive.destroy();
  return { rps: total / busy, heaps, received, sent };
}

const plain = await run(false);
const sluice = await run(true);
console.log(`requests: ${total} (8 connections), spans received: ${sluice.received} of ${sluice.sent}`);
console.log(`plain : ${plain.rps.toFixed(0)} req/s; heap growth by tenth (MB): ${plain.heaps.join(' ')}`);
console.log(`sluice: ${sluice.rps.toFixed(0)} req/s; heap growth by tenth (MB): ${sluice.heaps.join(' ')}`);
console.log(`throughput ratio sluice/plain: ${(sluice.rps / plain.rps).toFixed(2)}`);
agent.close();

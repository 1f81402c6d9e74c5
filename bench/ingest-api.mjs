// REST API speed with a seeded store: median time of the Explorer's queries with 10,000
// findings against the same queries with 100 findings in the same run (the ratio shows how
// the queries scale; indexes keep it small). Run after `npm run build`:
//   node bench/ingest-api.mjs [--findings 10000] [--no-pg]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const dist = join(
  import.meta.dirname ?? new URL('.', import.meta.url).pathname,
  '../packages/collector/dist/src',
);
const { openStore, startCollector } = require(join(dist, 'index.js'));
const { PostgresDb } = require(join(dist, 'store/postgres.js'));

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '10000' },
    pg: {
      type: 'string',
      default: process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    'no-pg': { type: 'boolean', default: false },
  },
});
const BIG = Number(values.findings);
const SMALL = 100;
const TYPES = [
  'SQL_INJECTION',
  'XSS',
  'PATH_TRAVERSAL',
  'WEAK_HASH',
  'INSECURE_COOKIE',
  'WEAK_RANDOMNESS',
  'SSRF',
];
const now = Date.now();

function seed(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      service: `svc${i % 12}`,
      env: i % 3 ? 'prod' : 'staging',
      version: `1.${i % 4}.0`,
      type: TYPES[i % TYPES.length],
      location: {
        path: `src/module${i % 40}/file${i}.js`,
        line: 1 + (i % 300),
        column: 5,
        method: `fn${i % 50}`,
        class: null,
      },
      evidence: { valueParts: [{ value: 'SELECT * FROM t WHERE id = ' }, { value: `${i}`, source: 0 }] },
      sources: [{ origin: 'http.request.parameter', name: 'id', value: `${i}` }],
      stack: [],
      request: { method: 'GET', route: '/r', url: 'http://h/r' },
      tracer: { language: 'nodejs', version: '5.0.0' },
      hash: null,
      spanId: '1',
      traceId: '1',
      seenAt: now - (n - i) * 60_000,
    });
  }
  return out;
}

const QUERIES = {
  'list, first page': '/api/findings',
  'list, filtered (service+severity)': '/api/findings?service=svc3,svc4&severity=critical,high',
  'list, text search': '/api/findings?q=module7/file',
  'list, sort by severity, page 50': '/api/findings?sort=-severity&page=50&pageSize=50',
  facets: '/api/facets',
  'open-by-severity, 30 days': '/api/stats/open-by-severity?days=30',
  detail: '/api/findings/7',
};

async function measure(url) {
  const out = {};
  for (const [name, path] of Object.entries(QUERIES)) {
    const times = [];
    for (let i = 0; i < 15; i++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(url + path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    out[name] = times[Math.floor(times.length / 2)];
  }
  return out;
}

async function run(label, open) {
  const results = [];
  for (const n of [SMALL, BIG]) {
    const { store, cleanup } = await open();
    for (let i = 0; i < n; i += 2000) await store.ingest(seed(n).slice(i, i + 2000));
    const collector = await startCollector({ port: 0, store, uiDir: null, autoCloseAfterMs: 0 });
    try {
      results.push(await measure(collector.url));
    } finally {
      await collector.close();
      await cleanup();
    }
  }
  console.log(`\n${label}: median of 15 over HTTP, ${SMALL} vs ${BIG} findings`);
  console.log(`| query | ${SMALL} findings, ms | ${BIG} findings, ms | ratio |`);
  console.log('|---|---:|---:|---:|');
  for (const name of Object.keys(QUERIES)) {
    const a = results[0][name];
    const b = results[1][name];
    console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(1)}x |`);
  }
}

await run('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-api-'));
  const store = await openStore({ url: join(dir, 'c.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
if (!values['no-pg']) {
  await run('PostgreSQL', async () => {
    const schema = `sluice_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const store = await openStore({ url: values.pg, schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const admin = await PostgresDb.open(values.pg);
        await admin.dropSchema(schema);
        await admin.close();
      },
    };
  });
}

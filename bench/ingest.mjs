// Ingest throughput: spans per second decoded and stored (SQLite, PostgreSQL) against the
// time to merely decode the same payloads. The ratio stored/decoded is the figure; absolute
// numbers depend on the machine. Run after `npm run build`:
//   node bench/ingest.mjs [--payloads 100] [--spans 50] [--pg postgres://postgres@127.0.0.1:5432/test]
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
const { encodeMsgpack, decodeTraces, findingsFromSpan, openStore } = require(join(dist, 'index.js'));
const { DEFAULT_DECODE_LIMITS } = require(join(dist, 'msgpack.js'));

const { values } = parseArgs({
  options: {
    payloads: { type: 'string', default: '100' },
    spans: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    pg: {
      type: 'string',
      default: process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    'no-pg': { type: 'boolean', default: false },
  },
});
const PAYLOADS = Number(values.payloads);
const SPANS = Number(values.spans);
const ROUNDS = Number(values.rounds);

/** A request span as dd-trace-js sends it: two vulnerabilities, one tainted with a source. */
function span(p, s) {
  const n = p * SPANS + s;
  return {
    service: `svc${n % 5}`,
    name: 'express.request',
    resource: 'GET /search',
    trace_id: n + 1,
    span_id: n + 1,
    parent_id: 0,
    start: Date.now() * 1e6,
    duration: 1e6,
    error: 0,
    type: 'web',
    meta: {
      env: 'bench',
      version: `1.${n % 3}.0`,
      'http.method': 'GET',
      'http.url': `http://shop/search?q=${n}`,
      'http.route': '/search',
      '_dd.iast.json': JSON.stringify({
        sources: [{ origin: 'http.request.parameter', name: 'q', value: `' OR ${n}=${n} --` }],
        vulnerabilities: [
          {
            type: 'SQL_INJECTION',
            hash: n,
            evidence: {
              valueParts: [
                { value: "SELECT * FROM p WHERE name = '" },
                { value: `' OR ${n}=${n} --`, source: 0 },
                { value: "'" },
              ],
            },
            // 1,000 distinct locations: most sightings are repeats, as in production.
            location: { spanId: n + 1, path: `routes/r${n % 200}.js`, line: 10 + (n % 5), method: 'handler' },
          },
          {
            type: 'WEAK_HASH',
            hash: 7,
            evidence: { value: 'md5' },
            location: { spanId: n + 1, path: 'lib/hash.js', line: 4 },
          },
        ],
      }),
    },
    metrics: { '_dd.iast.enabled': 1 },
  };
}

const payloads = [];
for (let p = 0; p < PAYLOADS; p++)
  payloads.push(encodeMsgpack([Array.from({ length: SPANS }, (_, s) => span(p, s))]));
const totalSpans = PAYLOADS * SPANS;

function decodeOne(buf) {
  const spans = decodeTraces(buf, 'v0.4', 'application/msgpack', DEFAULT_DECODE_LIMITS);
  const tracer = { language: 'nodejs', version: '5.0.0' };
  return spans.flatMap((s) => findingsFromSpan(s, { tracer, receivedAt: Date.now() }, DEFAULT_DECODE_LIMITS));
}

async function timeDecode() {
  const t0 = process.hrtime.bigint();
  for (const buf of payloads) decodeOne(buf);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function timeStore(store) {
  const t0 = process.hrtime.bigint();
  for (const buf of payloads) await store.ingest(decodeOne(buf));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function best(xs) {
  return Math.min(...xs);
}

const rows = [];
const decodeTimes = [];
for (let r = 0; r < ROUNDS; r++) decodeTimes.push(await timeDecode());
const decode = best(decodeTimes);
rows.push(['decode only', decode]);

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
try {
  const sqliteTimes = [];
  for (let r = 0; r < ROUNDS; r++) {
    const store = await openStore({ url: join(dir, `r${r}.db`) });
    sqliteTimes.push(await timeStore(store));
    await store.close();
  }
  rows.push(['decode + store, SQLite (file, WAL)', best(sqliteTimes)]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!values['no-pg']) {
  const pgTimes = [];
  const { PostgresDb } = require(join(dist, 'store/postgres.js'));
  for (let r = 0; r < ROUNDS; r++) {
    const schema = `sluice_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const store = await openStore({ url: values.pg, schema });
    try {
      pgTimes.push(await timeStore(store));
    } finally {
      await store.close();
      const admin = await PostgresDb.open(values.pg);
      await admin.dropSchema(schema);
      await admin.close();
    }
  }
  rows.push(['decode + store, PostgreSQL', best(pgTimes)]);
}

console.log(
  `ingest: ${PAYLOADS} payloads x ${SPANS} spans (${totalSpans} spans, 2 findings each), best of ${ROUNDS}, Node ${process.version}`,
);
console.log('| path | seconds | spans/s | time vs decode only |');
console.log('|---|---:|---:|---:|');
for (const [name, secs] of rows)
  console.log(
    `| ${name} | ${secs.toFixed(3)} | ${Math.round(totalSpans / secs)} | ${(secs / decode).toFixed(1)}x |`,
  );

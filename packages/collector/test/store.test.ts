import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CollectorError } from '../src/errors.js';
import { openStore } from '../src/store/open.js';
import { PostgresDb } from '../src/store/postgres.js';
import type { SqlStore } from '../src/store/store.js';
import { finding } from './helpers/findings.js';
import { BACKENDS, PG_URL, uniqueSchema } from './helpers/stores.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The same suite on every backend: the store has one interface and one behaviour.
for (const backend of BACKENDS) {
  describe(`store on ${backend.name}`, () => {
    let store: SqlStore;
    let opened: Awaited<ReturnType<typeof backend.open>>;

    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    after(async () => {
      await opened.cleanup();
    });

    it('applies its migrations once, and again is a no-op', async () => {
      assert.deepEqual(await store.migrate(), []);
      const rows = await store.db.all<{ version: number }>('SELECT version FROM schema_migrations');
      assert.deepEqual(
        rows.map((r) => Number(r.version)),
        [1],
      );
    });

    it('upserts by fingerprint: occurrences, first/last seen, versions, hourly buckets', async () => {
      const a = finding({ service: 'up', seenAt: T0 });
      const b = finding({
        service: 'up',
        seenAt: T0 + 2 * HOUR,
        version: '1.1.0',
        sources: [{ origin: 'http.request.parameter', name: 'id', value: 'other' }],
      });
      const r1 = await store.ingest([a, a]);
      assert.deepEqual(r1, { findings: 1, created: 1, reopened: 0 });
      const r2 = await store.ingest([b]);
      assert.deepEqual(r2, { findings: 1, created: 0, reopened: 0 });
      const page = await store.list({ service: ['up'] });
      assert.equal(page.total, 1);
      const f = page.items[0];
      assert.ok(f);
      assert.equal(f.occurrences, 3);
      assert.equal(f.firstSeen, new Date(T0).toISOString());
      assert.equal(f.lastSeen, new Date(T0 + 2 * HOUR).toISOString());
      const d = await store.get(f.id);
      assert.deepEqual(
        d?.versions.map((v) => [v.version, v.occurrences]),
        [
          ['1.0.0', 2],
          ['1.1.0', 1],
        ],
      );
      assert.equal(d?.sources[0]?.value, 'other');
      assert.deepEqual(await store.occurrences(f.id, 'hour'), [
        { at: new Date(T0).toISOString(), count: 2 },
        { at: new Date(T0 + 2 * HOUR).toISOString(), count: 1 },
      ]);
      assert.deepEqual(await store.occurrences(f.id, 'day'), [{ at: '2026-11-20T00:00:00.000Z', count: 3 }]);
    });

    it('keeps findings apart by service, env, type and location; merges on evidence without a location', async () => {
      await store.ingest([
        finding({ service: 'sep', line: 1 }),
        finding({ service: 'sep', line: 2 }),
        finding({ service: 'sep', env: 'staging', line: 1 }),
        finding({ service: 'sep', type: 'XSS', line: 1 }),
        finding({
          service: 'sep',
          type: 'HSTS_HEADER_MISSING',
          path: null,
          line: null,
          location: { path: null, line: null },
          evidence: { value: '/a' },
          sources: [],
        }),
        finding({
          service: 'sep',
          type: 'HSTS_HEADER_MISSING',
          path: null,
          line: null,
          location: { path: null, line: null },
          evidence: { value: '/a' },
          sources: [],
        }),
        finding({
          service: 'sep',
          type: 'HSTS_HEADER_MISSING',
          path: null,
          line: null,
          location: { path: null, line: null },
          evidence: { value: '/b' },
          sources: [],
        }),
      ]);
      const page = await store.list({ service: ['sep'] });
      assert.equal(page.total, 6);
      const hsts = page.items.filter((f) => f.type === 'HSTS_HEADER_MISSING').map((f) => f.evidenceSnippet);
      assert.deepEqual(hsts.sort(), ['/a', '/b']);
      await store.ingest([
        finding({
          service: 'sep',
          type: 'XCONTENTTYPE_HEADER_MISSING',
          location: { path: null, line: null },
          evidence: {},
          sources: [],
        }),
      ]);
      const xcto = await store.list({ service: ['sep'], type: ['XCONTENTTYPE_HEADER_MISSING'] });
      assert.equal(xcto.items[0]?.evidenceSnippet, 'GET /r', 'without evidence the request is the snippet');
      assert.deepEqual(page.counts.byType, { SQL_INJECTION: 3, XSS: 1, HSTS_HEADER_MISSING: 2 });
    });

    it('changes status with history; muting needs a reason; unknown ids and statuses are errors', async () => {
      await store.ingest([finding({ service: 'st' })]);
      const id = (await store.list({ service: ['st'] })).items[0]?.id ?? -1;
      await assert.rejects(
        store.setStatus(id, 'muted', null, 'alice'),
        (e: CollectorError) => e.code === 'SLC_ERR_REASON_REQUIRED',
      );
      await assert.rejects(
        store.setStatus(id, 'bogus' as never, null, 'alice'),
        (e: CollectorError) => e.code === 'SLC_ERR_INVALID_STATUS',
      );
      await assert.rejects(
        store.setStatus(999_999, 'fixed', null, 'alice'),
        (e: CollectorError) => e.code === 'SLC_ERR_FINDING_NOT_FOUND',
      );
      const ip = await store.setStatus(id, 'in_progress', 'looking', 'alice', T0 + HOUR);
      assert.equal(ip.status, 'in_progress');
      const muted = await store.setStatus(id, 'muted', 'test fixture, not reachable', 'bob', T0 + 2 * HOUR);
      assert.equal(muted.status, 'muted');
      assert.equal(muted.statusReason, 'test fixture, not reachable');
      assert.deepEqual(
        muted.history.map((h) => [h.from, h.to, h.actor]),
        [
          [null, 'open', 'intake'],
          ['open', 'in_progress', 'alice'],
          ['in_progress', 'muted', 'bob'],
        ],
      );
      // Seeing a muted finding again keeps it muted.
      await store.ingest([finding({ service: 'st', seenAt: T0 + 3 * HOUR })]);
      assert.equal((await store.get(id))?.status, 'muted');
    });

    it('auto-closes findings unseen for the configured time and reopens them when seen again', async () => {
      await store.ingest([
        finding({ service: 'ac', line: 1, seenAt: T0 }),
        finding({ service: 'ac', line: 2, seenAt: T0 + 5 * DAY }),
      ]);
      const closed = await store.autoClose(3 * DAY, T0 + 6 * DAY);
      assert.ok(closed >= 1);
      const page = await store.list({ service: ['ac'] }, { sort: 'firstSeen' });
      assert.deepEqual(
        page.items.map((f) => f.status),
        ['fixed', 'open'],
      );
      const id = page.items[0]?.id ?? -1;
      assert.match((await store.get(id))?.statusReason ?? '', /auto-closed/);
      const r = await store.ingest([finding({ service: 'ac', line: 1, seenAt: T0 + 7 * DAY })]);
      assert.equal(r.reopened, 1);
      const d = await store.get(id);
      assert.equal(d?.status, 'open');
      assert.equal(d?.statusReason, null);
      assert.deepEqual(
        d?.history.map((h) => [h.from, h.to, h.actor]),
        [
          [null, 'open', 'intake'],
          ['open', 'fixed', 'auto-close'],
          ['fixed', 'open', 'intake'],
        ],
      );
    });

    it('filters, searches, sorts and paginates, with counts that ignore their own facet', async () => {
      const batch = [];
      for (let i = 0; i < 30; i++) {
        batch.push(
          finding({
            service: i % 2 ? 'filt-a' : 'filt-b',
            type: i % 3 === 0 ? 'XSS' : i % 3 === 1 ? 'WEAK_HASH' : 'WEAK_RANDOMNESS',
            path: `src/mod${i % 5}/f${i}.js`,
            line: i + 1,
            seenAt: T0 + i * 1000,
          }),
        );
      }
      await store.ingest(batch);
      const all = await store.list({ service: ['filt-a', 'filt-b'] }, { pageSize: 7 });
      assert.equal(all.total, 30);
      assert.equal(all.items.length, 7);
      assert.equal(all.items[0]?.lastSeen, new Date(T0 + 29_000).toISOString(), 'newest first by default');
      const last = await store.list({ service: ['filt-a', 'filt-b'] }, { pageSize: 7, page: 5 });
      assert.equal(last.items.length, 2);
      const seen = new Set<number>();
      for (let p = 1; p <= 5; p++)
        for (const f of (await store.list({ service: ['filt-a', 'filt-b'] }, { pageSize: 7, page: p })).items)
          seen.add(f.id);
      assert.equal(seen.size, 30, 'pages neither skip nor repeat');

      const xss = await store.list({ service: ['filt-a', 'filt-b'], type: ['XSS'] });
      assert.equal(xss.total, 10);
      assert.equal(xss.counts.byType.XSS, 10);
      assert.equal(xss.counts.byType.WEAK_HASH, 10, 'the type facet ignores the type filter');
      assert.deepEqual(xss.counts.bySeverity, { critical: 0, high: 10, medium: 0, low: 0 });

      const high = await store.list({ service: ['filt-a', 'filt-b'], severity: ['high', 'low'] });
      assert.equal(high.total, 20);
      const bySev = await store.list({ service: ['filt-a', 'filt-b'] }, { sort: '-severity', pageSize: 500 });
      assert.equal(bySev.items[0]?.severity, 'high');
      assert.equal(bySev.items.at(-1)?.severity, 'low');

      const mod1 = await store.list({ path: ['src/mod1/'] });
      assert.equal(mod1.total, 6);
      const q = await store.list({ q: 'MOD3/F13' });
      assert.equal(q.total, 1);
      assert.equal(q.items[0]?.location.path, 'src/mod3/f13.js');
      const likeMeta = await store.list({ q: '%' });
      assert.equal(likeMeta.total, 0, 'LIKE wildcards in q are literal');
      const facets = await store.facets();
      assert.ok(facets.services.includes('filt-a'));
      assert.ok(facets.types.includes('WEAK_RANDOMNESS'));
      assert.ok(facets.paths.includes('src/mod0/f0.js'));
    });

    it('charts open findings by severity per day from the history', async () => {
      await store.ingest([
        finding({ service: 'chart', seenAt: T0 - 2 * DAY }),
        finding({ service: 'chart', line: 99, type: 'WEAK_HASH', seenAt: T0 - DAY }),
      ]);
      const id = (await store.list({ service: ['chart'], type: ['SQL_INJECTION'] })).items[0]?.id ?? -1;
      await store.setStatus(id, 'fixed', 'patched', 'carol', T0);
      const series = await store.openBySeverity(4, T0 + HOUR, { service: ['chart'] });
      const chartOnly = (s: { critical: number }) => s.critical;
      assert.equal(series.length, 4);
      assert.equal(series[3]?.at, '2026-11-20T00:00:00.000Z');
      // The critical finding was open at the end of 18 and 19 Nov, fixed on the 20th.
      assert.deepEqual(series.map(chartOnly), [0, 1, 1, 0]);
      assert.ok((series[2]?.medium ?? 0) >= 1);
    });

    it('rolls back a whole batch when one finding cannot be stored', async () => {
      const before = (await store.list({})).total;
      const bad = finding({ service: 'rollback', line: 2 });
      // A NOT NULL column receives null: the database refuses the second row.
      (bad as { service: unknown }).service = null;
      await assert.rejects(store.ingest([finding({ service: 'rollback', line: 1 }), bad]));
      assert.equal((await store.list({})).total, before);
      assert.equal((await store.list({ service: ['rollback'] })).total, 0);
    });

    it('upserts safely from concurrent writers', async () => {
      // Two stores on the same database stand for two collectors behind a load balancer.
      const second =
        backend.name === 'postgres'
          ? await openStore({ url: opened.url, schema: opened.schema as string })
          : store;
      try {
        const writes = [];
        for (let i = 0; i < 20; i++) {
          const target = i % 2 ? second : store;
          writes.push(
            target.ingest([
              finding({ service: 'conc', line: 1, seenAt: T0 + i }),
              finding({ service: 'conc', line: 2, seenAt: T0 + i }),
            ]),
          );
        }
        await Promise.all(writes);
        const page = await store.list({ service: ['conc'] });
        assert.equal(page.total, 2);
        assert.deepEqual(
          page.items.map((f) => f.occurrences),
          [20, 20],
        );
      } finally {
        if (second !== store) await second.close();
      }
    });

    it('pages quickly through 10,000 findings with indexes (correctness; speed is in bench/)', async () => {
      const batch = [];
      for (let i = 0; i < 10_000; i++)
        batch.push(
          finding({
            service: `big${i % 7}`,
            type: i % 2 ? 'XSS' : 'SQL_INJECTION',
            path: `big/f${i}.js`,
            line: i,
            seenAt: T0 + i,
          }),
        );
      await store.ingest(batch);
      const page = await store.list(
        { service: ['big0', 'big1', 'big2', 'big3', 'big4', 'big5', 'big6'], type: ['XSS'] },
        { page: 100, pageSize: 50 },
      );
      assert.equal(page.total, 5000);
      assert.equal(page.items.length, 50);
      const plan = await store.db.all(
        backend.name === 'sqlite'
          ? 'EXPLAIN QUERY PLAN SELECT id FROM findings ORDER BY last_seen DESC LIMIT 50'
          : 'EXPLAIN SELECT id FROM findings ORDER BY last_seen DESC LIMIT 50',
      );
      if (backend.name === 'sqlite') assert.match(JSON.stringify(plan), /findings_last_seen/);
    });
  });
}

describe('several collectors on one PostgreSQL', () => {
  it('migrate concurrently: one applies each version, the others wait and skip', async () => {
    const schema = uniqueSchema();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ url: PG_URL, schema })));
    try {
      const first = stores[0] as SqlStore;
      const rows = await first.db.all<{ version: number }>('SELECT version FROM schema_migrations');
      assert.deepEqual(
        rows.map((r) => Number(r.version)),
        [1],
      );
      await Promise.all(stores.map((s, i) => s.ingest([finding({ service: 'multi', seenAt: T0 + i })])));
      const page = await first.list({ service: ['multi'] });
      assert.equal(page.total, 1);
      assert.equal(page.items[0]?.occurrences, 3);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      const admin = await PostgresDb.open(PG_URL);
      await admin.dropSchema(schema);
      await admin.close();
    }
  });
});

describe('openStore', () => {
  it('refuses unknown URL schemes with a coded error', async () => {
    await assert.rejects(
      openStore({ url: 'mysql://localhost/x' }),
      (e: CollectorError) => e.code === 'SLC_ERR_STORE_URL_INVALID',
    );
  });
  it('reports an unreachable PostgreSQL as SLC_ERR_STORE_UNAVAILABLE', async () => {
    await assert.rejects(
      openStore({ url: 'postgres://postgres@127.0.0.1:1/test' }),
      (e: CollectorError) => e.code === 'SLC_ERR_STORE_UNAVAILABLE',
    );
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FindingDetail, FindingPage } from '../src/model.js';
import { type Collector, startCollector } from '../src/server.js';
import { finding } from './helpers/findings.js';
import { BACKENDS } from './helpers/stores.js';

const sqlite = BACKENDS[0];
if (!sqlite) throw new Error('no sqlite backend');

interface Res<T> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<Res<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body: body as T, headers: res.headers };
}

describe('REST API', () => {
  let collector: Collector;
  let cleanup: () => Promise<void>;
  let uiDir: string;

  before(async () => {
    const opened = await sqlite.open();
    cleanup = opened.cleanup;
    uiDir = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
    writeFileSync(
      join(uiDir, 'index.html'),
      '<!doctype html><title>Explorer</title><script type="module" src="/ui/main.js"></script>',
    );
    writeFileSync(join(uiDir, 'main.js'), 'console.log(1)');
    const now = Date.now();
    const batch = [];
    for (let i = 0; i < 60; i++) {
      batch.push(
        finding({
          service: i % 3 === 0 ? 'cart' : 'checkout',
          env: i % 2 ? 'prod' : 'staging',
          type: ['SQL_INJECTION', 'XSS', 'WEAK_HASH', 'WEAK_RANDOMNESS'][i % 4] as string,
          path: `src/${i % 2 ? 'api' : 'web'}/f${i}.js`,
          line: i + 1,
          seenAt: now - (60 - i) * 60_000,
        }),
      );
    }
    await opened.store.ingest(batch);
    collector = await startCollector({ port: 0, store: opened.store, uiDir });
  });
  after(async () => {
    await collector.close();
    await cleanup();
    rmSync(uiDir, { recursive: true, force: true });
  });

  it('lists findings with paging, filters (repeated or comma-separated) and counts', async () => {
    const all = await call<FindingPage>(`${collector.url}/api/findings?pageSize=25`);
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 60);
    assert.equal(all.body.items.length, 25);
    assert.equal(all.body.pageSize, 25);
    assert.deepEqual(all.body.counts.bySeverity, { critical: 15, high: 15, medium: 15, low: 15 });
    assert.equal(all.body.counts.byStatus.open, 60);
    const item = all.body.items[0];
    assert.ok(item);
    for (const key of [
      'id',
      'fingerprint',
      'service',
      'env',
      'type',
      'severity',
      'cwe',
      'status',
      'location',
      'evidenceSnippet',
      'occurrences',
      'firstSeen',
      'lastSeen',
    ])
      assert.ok(key in item, `FindingSummary has ${key}`);
    assert.match(item.lastSeen, /^\d{4}-\d\d-\d\dT/);

    const page3 = await call<FindingPage>(`${collector.url}/api/findings?pageSize=25&page=3`);
    assert.equal(page3.body.items.length, 10);

    const repeated = await call<FindingPage>(
      `${collector.url}/api/findings?type=XSS&type=WEAK_HASH&service=cart`,
    );
    const comma = await call<FindingPage>(`${collector.url}/api/findings?type=XSS,WEAK_HASH&service=cart`);
    assert.equal(repeated.body.total, comma.body.total);
    assert.ok(
      repeated.body.items.every((f) => f.service === 'cart' && (f.type === 'XSS' || f.type === 'WEAK_HASH')),
    );
    assert.equal(repeated.body.counts.byType.SQL_INJECTION, 5, 'the type facet ignores the type filter');

    const sev = await call<FindingPage>(`${collector.url}/api/findings?severity=critical&env=prod`);
    assert.ok(sev.body.items.every((f) => f.severity === 'critical' && f.env === 'prod'));
    const path = await call<FindingPage>(`${collector.url}/api/findings?path=src/api/`);
    assert.equal(path.body.total, 30);
    const q = await call<FindingPage>(`${collector.url}/api/findings?q=f17.js`);
    assert.equal(q.body.total, 1);
    const sorted = await call<FindingPage>(`${collector.url}/api/findings?sort=-severity&pageSize=500`);
    assert.equal(sorted.body.items[0]?.severity, 'critical');
    assert.equal(sorted.body.items.at(-1)?.severity, 'low');
    const oldest = await call<FindingPage>(`${collector.url}/api/findings?sort=lastSeen&pageSize=1`);
    assert.equal(oldest.body.items[0]?.location.path, 'src/web/f0.js');
  });

  it('rejects bad query values with SLC_ERR_BAD_REQUEST', async () => {
    for (const qs of [
      'severity=urgent',
      'status=done',
      'page=0',
      'pageSize=100000',
      'sort=name',
      'page=abc',
    ]) {
      const r = await call<{ error: { code: string } }>(`${collector.url}/api/findings?${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.body.error.code, 'SLC_ERR_BAD_REQUEST', qs);
    }
  });

  it('returns a finding detail with remediation, and 404 for unknown ids', async () => {
    const list = await call<FindingPage>(`${collector.url}/api/findings?type=SQL_INJECTION&pageSize=1`);
    const id = list.body.items[0]?.id;
    const d = await call<FindingDetail>(`${collector.url}/api/findings/${id}`);
    assert.equal(d.status, 200);
    assert.equal(d.body.type, 'SQL_INJECTION');
    assert.ok(d.body.remediation.steps.length > 0);
    assert.deepEqual(d.body.sources, [{ origin: 'http.request.parameter', name: 'id', value: 'x' }]);
    assert.deepEqual(d.body.evidence.valueParts?.[1], { value: 'x', source: 0 });
    assert.equal(d.body.history[0]?.to, 'open');
    assert.equal(d.body.versions[0]?.version, '1.0.0');
    assert.deepEqual(d.body.request, { method: 'GET', route: '/r', url: 'http://h/r' });
    for (const bad of ['999999', 'abc', '1e3']) {
      const r = await call<{ error: { code: string } }>(`${collector.url}/api/findings/${bad}`);
      assert.equal(r.status, 404, bad);
      assert.equal(r.body.error.code, 'SLC_ERR_FINDING_NOT_FOUND');
    }
    const occ = await call<{ series: { at: string; count: number }[] }>(
      `${collector.url}/api/findings/${id}/occurrences?bucket=hour`,
    );
    assert.equal(occ.status, 200);
    assert.equal(
      occ.body.series.reduce((n, p) => n + p.count, 0),
      1,
    );
  });

  it('changes status, requires a reason to mute, and the change persists', async () => {
    const list = await call<FindingPage>(`${collector.url}/api/findings?type=XSS&pageSize=1`);
    const id = list.body.items[0]?.id;
    const post = (body: unknown) =>
      call<FindingDetail & { error: { code: string } }>(`${collector.url}/api/findings/${id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noReason = await post({ status: 'muted' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.error.code, 'SLC_ERR_REASON_REQUIRED');
    const badStatus = await post({ status: 'closed' });
    assert.equal(badStatus.body.error.code, 'SLC_ERR_INVALID_STATUS');
    const notJson = await call<{ error: { code: string } }>(`${collector.url}/api/findings/${id}/status`, {
      method: 'POST',
      body: '{',
    });
    assert.equal(notJson.status, 400);
    const muted = await post({ status: 'muted', reason: 'false positive: admin only' });
    assert.equal(muted.status, 200);
    assert.equal(muted.body.status, 'muted');
    assert.equal(muted.body.statusReason, 'false positive: admin only');
    assert.deepEqual(muted.body.history.at(-1), {
      at: muted.body.history.at(-1)?.at,
      field: 'status',
      from: 'open',
      to: 'muted',
      reason: 'false positive: admin only',
      actor: 'api',
    });
    const again = await call<FindingDetail>(`${collector.url}/api/findings/${id}`);
    assert.equal(again.body.status, 'muted');
    const mutedList = await call<FindingPage>(`${collector.url}/api/findings?status=muted`);
    assert.deepEqual(
      mutedList.body.items.map((f) => f.id),
      [id],
    );
    const get = await call<{ error: { code: string } }>(`${collector.url}/api/findings/${id}/status`);
    assert.equal(get.status, 405);
  });

  it('serves facets and the open-by-severity chart', async () => {
    const facets = await call<{ services: string[]; envs: string[]; types: string[]; paths: string[] }>(
      `${collector.url}/api/facets`,
    );
    assert.deepEqual(facets.body.services, ['cart', 'checkout']);
    assert.deepEqual(facets.body.envs, ['prod', 'staging']);
    assert.equal(facets.body.paths.length, 60);
    const chart = await call<{
      series: { at: string; critical: number; high: number; medium: number; low: number }[];
    }>(`${collector.url}/api/stats/open-by-severity?days=7`);
    assert.equal(chart.body.series.length, 7);
    const today = chart.body.series.at(-1);
    assert.ok(today);
    assert.equal(
      today.critical + today.high + today.medium + today.low,
      59,
      'everything but the muted one is open',
    );
    const bad = await call(`${collector.url}/api/stats/open-by-severity?days=0`);
    assert.equal(bad.status, 400);
  });

  it('exports SARIF, JSON and CSV with the same filters', async () => {
    const sarif = await fetch(`${collector.url}/api/export?format=sarif&type=SQL_INJECTION`);
    assert.equal(sarif.status, 200);
    assert.match(sarif.headers.get('content-disposition') ?? '', /sluice-findings\.sarif/);
    const log = (await sarif.json()) as { version: string; runs: { results: unknown[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0]?.results.length, 15);
    const csv = await (await fetch(`${collector.url}/api/export?format=csv&service=cart`)).text();
    assert.equal(csv.trim().split('\r\n').length, 1 + 20);
    const json = (await (await fetch(`${collector.url}/api/export?format=json`)).json()) as {
      findings: unknown[];
    };
    assert.equal(json.findings.length, 60);
    assert.equal((await fetch(`${collector.url}/api/export?format=pdf`)).status, 400);
  });

  it('serves the Explorer: index at / and /ui/ routes, files under /ui/, no escape from the directory', async () => {
    const root = await fetch(`${collector.url}/`);
    assert.equal(root.status, 200);
    assert.match(await root.text(), /<title>Explorer/);
    const js = await fetch(`${collector.url}/ui/main.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const deep = await fetch(`${collector.url}/ui/findings/12`);
    assert.match(await deep.text(), /<title>Explorer/, 'client-side routes fall back to index.html');
    const outside = await fetch(`${collector.url}/ui/..%2f..%2f..%2fetc%2fpasswd`);
    const outsideText = await outside.text();
    assert.doesNotMatch(outsideText, /root:/);
    assert.match(outsideText, /<title>Explorer/, 'a path leaving the directory gets index.html');
    assert.equal((await fetch(`${collector.url}/nowhere`)).status, 404);
  });
});

describe('API token', () => {
  let collector: Collector;
  let cleanup: () => Promise<void>;

  before(async () => {
    const opened = await sqlite.open();
    cleanup = opened.cleanup;
    await opened.store.ingest([finding()]);
    const uiDir = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
    mkdirSync(uiDir, { recursive: true });
    writeFileSync(join(uiDir, 'index.html'), '<title>Explorer</title>');
    collector = await startCollector({ port: 0, store: opened.store, uiDir, token: 's3cret-token' });
  });
  after(async () => {
    await collector.close();
    await cleanup();
  });

  it('requires the token for the API but not for the intake or the Explorer page', async () => {
    const denied = await call<{ error: { code: string } }>(`${collector.url}/api/findings`);
    assert.equal(denied.status, 401);
    assert.equal(denied.body.error.code, 'SLC_ERR_UNAUTHORIZED');
    assert.equal(
      (await fetch(`${collector.url}/api/findings`, { headers: { authorization: 'Bearer wrong' } })).status,
      401,
    );
    const page = await fetch(`${collector.url}/`);
    assert.equal(page.status, 200, 'the page loads and asks for the token itself');
    assert.equal(page.headers.get('set-cookie'), null);
    const wrongQuery = await fetch(`${collector.url}/?token=wrong`);
    assert.equal(wrongQuery.headers.get('set-cookie'), null, 'a wrong token sets no cookie');
    const ok = await fetch(`${collector.url}/api/findings`, {
      headers: { authorization: 'Bearer s3cret-token' },
    });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${collector.url}/info`)).status, 200);
  });

  it('accepts ?token= on the UI once and sets an HttpOnly cookie that authenticates later calls', async () => {
    const first = await fetch(`${collector.url}/?token=s3cret-token`);
    assert.equal(first.status, 200);
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /sluice_token=s3cret-token/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await fetch(`${collector.url}/api/facets`, {
      headers: { cookie: cookie.split(';')[0] as string },
    });
    assert.equal(withCookie.status, 200);
  });

  it('generates a token when bound to a non-loopback address', async () => {
    const opened = await sqlite.open();
    const open = await startCollector({ host: '0.0.0.0', port: 0, store: opened.store, uiDir: null });
    try {
      assert.ok(open.token && open.token.length >= 20);
      const port = new URL(open.url).port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/findings`)).status, 401);
      assert.equal(
        (
          await fetch(`http://127.0.0.1:${port}/api/findings`, {
            headers: { authorization: `Bearer ${open.token}` },
          })
        ).status,
        200,
      );
    } finally {
      await open.close();
      await opened.cleanup();
    }
  });
});

describe('auto-close in the server', () => {
  it('closes findings unseen longer than autoCloseAfterMs when it starts, and the API shows why', async () => {
    const sqliteBackend = BACKENDS[0];
    if (!sqliteBackend) throw new Error('no sqlite backend');
    const opened = await sqliteBackend.open();
    await opened.store.ingest([
      finding({ service: 'stale', seenAt: Date.now() - 10 * 86_400_000 }),
      finding({ service: 'fresh', seenAt: Date.now() }),
    ]);
    const collector = await startCollector({
      port: 0,
      store: opened.store,
      uiDir: null,
      autoCloseAfterMs: 7 * 86_400_000,
    });
    try {
      let stale: FindingPage | undefined;
      for (let i = 0; i < 50; i++) {
        stale = (await call<FindingPage>(`${collector.url}/api/findings?service=stale`)).body;
        if (stale.items[0]?.status === 'fixed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(stale?.items[0]?.status, 'fixed');
      const detail = await call<FindingDetail>(`${collector.url}/api/findings/${stale?.items[0]?.id}`);
      assert.match(detail.body.statusReason ?? '', /auto-closed: unseen for 168 h/);
      assert.equal(detail.body.history.at(-1)?.actor, 'auto-close');
      const fresh = await call<FindingPage>(`${collector.url}/api/findings?service=fresh`);
      assert.equal(fresh.body.items[0]?.status, 'open');
    } finally {
      await collector.close();
      await opened.cleanup();
    }
  });
});

describe('store failures', () => {
  it('answer 503 SLC_ERR_STORE_UNAVAILABLE and the collector keeps serving', async () => {
    const pg = BACKENDS[1];
    if (!pg) throw new Error('no postgres backend');
    const opened = await pg.open();
    const errors: unknown[] = [];
    const collector = await startCollector({
      port: 0,
      store: opened.store,
      uiDir: null,
      autoCloseAfterMs: 0,
      onError: (e) => errors.push(e),
    });
    try {
      assert.equal((await fetch(`${collector.url}/api/findings`)).status, 200);
      // The tables vanish under the running collector (a DBA mistake, a failed restore).
      await opened.store.db.exec(
        'DROP TABLE finding_history, finding_occurrences, finding_versions, findings',
      );
      const res = await call<{ error: { code: string; message: string } }>(`${collector.url}/api/findings`);
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'SLC_ERR_STORE_UNAVAILABLE');
      assert.equal(errors.length, 1, 'the cause is reported to onError');
      const intake = await call<{ error: { code: string } }>(`${collector.url}/v0.4/traces`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          [{ service: 's', meta: { '_dd.iast.json': '{"vulnerabilities":[{"type":"XSS"}]}' } }],
        ]),
      });
      assert.equal(intake.status, 503);
      assert.equal(intake.body.error.code, 'SLC_ERR_STORE_UNAVAILABLE');
      assert.equal((await fetch(`${collector.url}/info`)).status, 200);
    } finally {
      await collector.close();
      await opened.cleanup();
    }
  });
});

// The Explorer's pure modules (address ↔ filters, chart axes, labels), loaded from the built
// ui/dist as the browser loads them: as ES modules.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const UI_DIST = path.join(__dirname, '../../../ui/dist');

async function load<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(path.join(UI_DIST, name)).href)) as T;
}

interface ListQuery {
  service: string[];
  env: string[];
  type: string[];
  severity: string[];
  status: string[];
  path: string;
  q: string;
  sort: string;
  page: number;
  pageSize: number;
}
interface Route {
  list: ListQuery;
  finding: string | null;
  bucket: 'day' | 'hour';
}
interface RouteModule {
  parseRoute(search: string): Route;
  formatRoute(route: Route): string;
  filterParams(list: ListQuery): URLSearchParams;
  listParams(list: ListQuery): URLSearchParams;
}
interface ScaleModule {
  niceMax(n: number): number;
  ticks(max: number, count?: number): number[];
  stack(rows: Record<string, number>[], keys: readonly string[]): { key: string; tops: number[] }[];
}
interface FormatModule {
  typeLabel(t: string): string;
  locationText(l: { path?: string | null; line?: number | null; column?: number | null }): string;
  ago(iso: string, now?: number): string;
  cweUrl(cwe: unknown): string | null;
}

describe('Explorer route (the address is the state)', () => {
  it('reads repeated and comma-separated filters, and writes them back canonically', async () => {
    const { parseRoute, formatRoute } = await load<RouteModule>('route.js');
    const r = parseRoute(
      '?severity=critical&severity=high,low&type=XSS&q=%20etc%2Fpasswd%20&page=3&finding=12',
    );
    assert.deepEqual(r.list.severity, ['critical', 'high', 'low']);
    assert.deepEqual(r.list.type, ['XSS']);
    assert.equal(r.list.q, 'etc/passwd');
    assert.equal(r.list.page, 3);
    assert.equal(r.finding, '12');
    assert.equal(formatRoute(r), '?type=XSS&severity=critical%2Chigh%2Clow&q=etc%2Fpasswd&page=3&finding=12');
    assert.deepEqual(parseRoute(formatRoute(r)), r);
  });

  it('drops defaults and ignores nonsense instead of sending it to the API', async () => {
    const { parseRoute, formatRoute, listParams } = await load<RouteModule>('route.js');
    const r = parseRoute('?page=0&pageSize=abc&sort=DROP+TABLE&bucket=week&severity=,,');
    assert.equal(r.list.page, 1);
    assert.equal(r.list.pageSize, 50);
    assert.equal(r.list.sort, '-lastSeen');
    assert.equal(r.bucket, 'day');
    assert.deepEqual(r.list.severity, []);
    assert.equal(formatRoute(r), '');
    assert.equal(parseRoute('?pageSize=100000').list.pageSize, 500, 'capped at the API maximum');
    const closed = parseRoute('?severity=CRITICAL,bogus&status=open,zzz&type=NEW_TYPE');
    assert.deepEqual(closed.list.severity, ['critical']);
    assert.deepEqual(closed.list.status, ['open']);
    assert.deepEqual(closed.list.type, ['NEW_TYPE'], 'types stay open');
    const p = listParams(parseRoute('?sort=-severity&pageSize=100&service=a,b').list);
    assert.equal(p.toString(), 'service=a%2Cb&sort=-severity&pageSize=100');
  });

  it('export links carry the filters but not the page', async () => {
    const { parseRoute, filterParams } = await load<RouteModule>('route.js');
    const p = filterParams(parseRoute('?env=prod&path=src%2F&page=4&sort=severity').list);
    assert.equal(p.toString(), 'env=prod&path=src%2F');
  });
});

describe('Explorer chart scales', () => {
  it('rounds the axis up to 1, 2 or 5 × 10^k with round ticks', async () => {
    const { niceMax, ticks } = await load<ScaleModule>('chart-scale.js');
    assert.deepEqual([0, 1, 3, 7, 10, 11, 180, 2001].map(niceMax), [1, 1, 5, 10, 10, 20, 200, 5000]);
    assert.deepEqual(ticks(10), [0, 5, 10]);
    assert.deepEqual(ticks(200), [0, 50, 100, 150, 200]);
    assert.deepEqual(ticks(1), [0, 1]);
  });

  it('stacks layers cumulatively and treats negatives and gaps as zero', async () => {
    const { stack } = await load<ScaleModule>('chart-scale.js');
    const layers = stack(
      [
        { low: 1, high: 2 },
        { low: -4, high: 3 },
      ],
      ['low', 'high'],
    );
    assert.deepEqual(layers, [
      { key: 'low', tops: [1, 0] },
      { key: 'high', tops: [3, 3] },
    ]);
  });
});

describe('Explorer labels', () => {
  it('names types, locations, ages and CWE links as a reader expects', async () => {
    const f = await load<FormatModule>('format.js');
    assert.equal(f.typeLabel('SQL_INJECTION'), 'SQL injection');
    assert.equal(f.typeLabel('NOSQL_MONGODB_INJECTION'), 'NoSQL MongoDB injection');
    assert.equal(f.typeLabel('XCONTENTTYPE_HEADER_MISSING'), 'X-Content-Type header missing');
    assert.equal(f.locationText({ path: 'src/a.js', line: 4, column: 2 }), 'src/a.js:4:2');
    assert.equal(f.locationText({ path: null, line: null }), '(unknown location)');
    const now = Date.parse('2026-01-10T12:00:00Z');
    assert.equal(f.ago('2026-01-10T11:59:30Z', now), 'just now');
    assert.equal(f.ago('2026-01-10T09:00:00Z', now), '3 h ago');
    assert.equal(f.ago('2026-01-01T12:00:00Z', now), '9 d ago');
    assert.equal(f.cweUrl(89), 'https://cwe.mitre.org/data/definitions/89.html');
    assert.equal(f.cweUrl('javascript:alert(1)'), null);
  });
});

describe('Explorer occurrence buckets', () => {
  interface Fill {
    fillBuckets(
      s: { at: string; count: number }[],
      b: 'hour' | 'day',
      now: number,
    ): { at: string; count: number }[];
  }
  const now = Date.parse('2026-03-20T15:30:00Z');

  it('zero-fills a two-week window of UTC days ending today', async () => {
    const { fillBuckets } = await load<Fill>('chart-scale.js');
    const out = fillBuckets([{ at: '2026-03-18T00:00:00.000Z', count: 4 }], 'day', now);
    assert.equal(out.length, 14);
    assert.equal(out[0]?.at, '2026-03-07T00:00:00.000Z');
    assert.equal(out.at(-1)?.at, '2026-03-20T00:00:00.000Z');
    assert.equal(
      out.reduce((a, p) => a + p.count, 0),
      4,
    );
    assert.equal(out.find((p) => p.at.startsWith('2026-03-18'))?.count, 4);
  });

  it('reaches back to the oldest point, within a bound, and merges points of one bucket', async () => {
    const { fillBuckets } = await load<Fill>('chart-scale.js');
    const old = fillBuckets([{ at: '2026-01-01T00:00:00Z', count: 1 }], 'day', now);
    assert.equal(old[0]?.at, '2026-01-01T00:00:00.000Z');
    const hours = fillBuckets(
      [
        { at: '2026-03-20T14:00:00Z', count: 2 },
        { at: '2026-03-20T14:10:00Z', count: 3 },
        { at: '2020-01-01T00:00:00Z', count: 9 },
      ],
      'hour',
      now,
    );
    assert.equal(hours.length, 24 * 31, 'a year-old point does not make a 50,000-bar chart');
    assert.equal(hours.at(-2)?.count, 5);
  });
});

// End to end: koa (2 and 3, @koa/router, @koa/bodyparser or koa-bodyparser) and fastify (4 and
// 5 with formbody, cookie and multipart) apps under Sluice, CommonJS and ES modules. Each
// kind of request data reaches a SQL query on SQLite: the finding names the source's origin,
// name and value and links exactly the tainted characters; the bound-parameter twin of each
// route reports nothing.
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FastifyInstrumentation } from '../../src/instrument/fastify.js';
import { KoaInstrumentation } from '../../src/instrument/koa.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import type { RequestObjects } from '../../src/sources/taint-value.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import { recordSourceCoverage } from '../sinks/coverage.js';
import {
  APPS,
  type IastVulnerability,
  INIT,
  iastOf,
  lineOf,
  type RunningApp,
  request,
  startApp,
  TestAgent,
} from './helpers.js';

describe('koa and fastify hooks in process', () => {
  const engine = createJsEngine();
  const failOnGuard = (error: unknown) => assert.fail(`guard called: ${String(error)}`);
  const hooks = new ModuleHooks(failOnGuard);
  // The analysed request's record of the objects parsed from it (NoSQL operator objects).
  let objects = new WeakMap<object, unknown>();
  const koa = new KoaInstrumentation(
    () => engine,
    hooks,
    failOnGuard,
    () => objects as RequestObjects,
  );
  const fastify = new FastifyInstrumentation(
    () => engine,
    hooks,
    failOnGuard,
    () => objects as RequestObjects,
  );
  const koaRequest = require('koa/lib/request.js') as object;
  const koaContext = require('koa/lib/context.js') as object;
  const FastifyRequest = require(require.resolve('fastify/lib/request.js')) as new (
    ...args: unknown[]
  ) => Record<string, unknown>;
  const Busboy = require('@fastify/busboy') as { prototype: Record<string, unknown> };
  const originalEmit = Busboy.prototype.emit;
  const originalQuery = Object.getOwnPropertyDescriptor(koaRequest, 'query');
  const sourceOf = (value: unknown) => engine.getRanges(value)?.[0]?.source;
  /** An IncomingMessage as request-sources.ts leaves it: tainted URL when analysed. */
  const incoming = (analysed: boolean) => ({
    url: analysed
      ? engine.taint('/x?name=abc', [
          {
            start: 0,
            end: 11,
            source: { origin: 'http.request.uri', name: 'url', value: '/x?name=abc' },
            marks: 0,
          },
        ])
      : '/x?name=abc',
    rawHeaders: [] as string[],
    headers: { 'content-type': 'application/json' },
  });
  const hooked = () =>
    Object.getOwnPropertyDescriptor(koaContext, 'params') !== undefined &&
    Object.getOwnPropertyDescriptor(koaRequest, 'body') !== undefined &&
    Object.getOwnPropertyDescriptor(koaRequest, 'query')?.get !== originalQuery?.get &&
    Object.getOwnPropertyDescriptor(FastifyRequest.prototype, 'raw') !== undefined &&
    Busboy.prototype.emit !== originalEmit;

  test('enable, disable, enable: prototypes hooked, restored, hooked once again', () => {
    hooks.enable();
    try {
      koa.enable();
      fastify.enable();
      assert.ok(hooked());
      koa.disable();
      fastify.disable();
      assert.equal(Object.getOwnPropertyDescriptor(koaContext, 'params'), undefined);
      assert.equal(Object.getOwnPropertyDescriptor(koaRequest, 'body'), undefined);
      assert.deepEqual(Object.getOwnPropertyDescriptor(koaRequest, 'query'), originalQuery);
      assert.equal(Object.getOwnPropertyDescriptor(FastifyRequest.prototype, 'raw'), undefined);
      assert.equal(Busboy.prototype.emit, originalEmit);
      koa.enable();
      koa.enable();
      fastify.enable();
      fastify.enable();
      assert.ok(hooked());
    } finally {
      koa.disable();
      fastify.disable();
      hooks.disable();
    }
  });

  test('an analysed request is tainted; another keeps plain own properties', () => {
    hooks.enable();
    koa.enable();
    fastify.enable();
    try {
      // One scope each: the fallback engine tells tainted text apart by value within a scope.
      for (const analysed of [true, false]) {
        engine.runInScope(() => {
          objects = new WeakMap();
          const request = Object.create(koaRequest) as Record<string, unknown>;
          request.req = incoming(analysed);
          request.body = { name: 'b1', filter: { $ne: 'x' } };
          const body = request.body as { name: string; filter: object };
          assert.deepEqual(
            objects.get(body.filter),
            analysed ? { origin: 'http.request.body', name: 'filter' } : undefined,
          );
          assert.deepEqual(
            sourceOf(body.name),
            analysed ? { origin: 'http.request.body', name: 'name', value: 'b1' } : undefined,
          );
          assert.equal(Object.getOwnPropertyDescriptor(request, 'body')?.enumerable, true);
          assert.equal('value' in (Object.getOwnPropertyDescriptor(request, 'body') ?? {}), !analysed);

          const built = new FastifyRequest(
            'id',
            { name: 'p1' },
            incoming(analysed),
            { q: 'q1' },
            undefined,
            undefined,
          );
          // The same own, enumerable properties (an analysed request defines body before log).
          assert.deepEqual(Object.keys(built).sort(), ['body', 'id', 'log', 'params', 'query', 'raw']);
          assert.equal('cookies' in built, false, 'no cookies property unless @fastify/cookie declares it');
          const params = built.params as { name: string };
          assert.deepEqual(
            sourceOf(params.name),
            analysed ? { origin: 'http.request.path.parameter', name: 'name', value: 'p1' } : undefined,
          );
          const query = built.query as { q: string };
          assert.deepEqual(
            objects.get(query),
            analysed ? { origin: 'http.request.parameter', name: '' } : undefined,
          );
          assert.deepEqual(
            sourceOf(query.q),
            analysed ? { origin: 'http.request.parameter', name: 'q', value: 'q1' } : undefined,
          );
        });
      }
    } finally {
      koa.disable();
      fastify.disable();
      hooks.disable();
    }
  });
});

interface Send {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
}

/** One kind of request data: how to send `abc` as it, and the source the finding must name. */
interface SourceCase {
  readonly name: string;
  /** The framework API the route reads, for the coverage record. */
  readonly call: string;
  readonly path: string;
  /** The route's bound-parameter twin. */
  readonly safePath: string;
  readonly send: Send;
  readonly marker: string;
  readonly origin: string;
  readonly sourceName: string;
}

const JSON_BODY: Send = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'abc' }),
};
const FORM_BODY: Send = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'name=abc',
};
const BOUNDARY = 'sluiceboundary';
const MULTIPART_BODY: Send = {
  method: 'POST',
  headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc\r\n--${BOUNDARY}--\r\n`,
};

function source(
  name: string,
  call: string,
  route: string,
  send: Send,
  marker: string,
  origin: string,
  sourceName = 'name',
): SourceCase {
  return { name, call, path: route, safePath: `/safe${route}`, send, marker, origin, sourceName };
}

const KOA_SOURCES: SourceCase[] = [
  source('route parameter', 'ctx.params', '/params/abc', {}, 'KOA_PARAMS', 'http.request.path.parameter'),
  {
    ...source(
      'route parameter',
      'ctx.request.params',
      '/request-params/abc',
      {},
      'KOA_REQUEST_PARAMS',
      'http.request.path.parameter',
    ),
    safePath: '/safe/params/abc',
  },
  source('query parameter', 'ctx.query', '/query?name=abc', {}, 'KOA_QUERY', 'http.request.parameter'),
  {
    ...source(
      'query parameter',
      'ctx.request.query',
      '/request-query?name=abc',
      {},
      'KOA_REQUEST_QUERY',
      'http.request.parameter',
    ),
    safePath: '/safe/query?name=abc',
  },
  source('JSON body', 'ctx.request.body', '/body', JSON_BODY, 'KOA_BODY', 'http.request.body'),
  source('urlencoded body', 'ctx.request.body', '/body', FORM_BODY, 'KOA_BODY', 'http.request.body'),
  source(
    'cookie',
    'ctx.cookies.get',
    '/cookie',
    { headers: { cookie: 'theme=dark; name=abc' } },
    'KOA_COOKIE',
    'http.request.cookie.value',
  ),
  source(
    'header',
    'ctx.get',
    '/header',
    { headers: { 'x-name': 'abc' } },
    'KOA_HEADER',
    'http.request.header',
    'x-name',
  ),
];

const FASTIFY_SOURCES: SourceCase[] = [
  source(
    'route parameter',
    'request.params',
    '/params/abc',
    {},
    'FASTIFY_PARAMS',
    'http.request.path.parameter',
  ),
  source(
    'query parameter',
    'request.query',
    '/query?name=abc',
    {},
    'FASTIFY_QUERY',
    'http.request.parameter',
  ),
  source('JSON body', 'request.body', '/body', JSON_BODY, 'FASTIFY_BODY', 'http.request.body'),
  source(
    'urlencoded body (@fastify/formbody)',
    'request.body',
    '/body',
    FORM_BODY,
    'FASTIFY_BODY',
    'http.request.body',
  ),
  source(
    'multipart field (@fastify/multipart)',
    'request.body',
    '/body',
    MULTIPART_BODY,
    'FASTIFY_BODY',
    'http.request.multipart.parameter',
  ),
  source(
    'cookie (@fastify/cookie)',
    'request.cookies',
    '/cookie',
    { headers: { cookie: 'theme=dark; name=abc' } },
    'FASTIFY_COOKIE',
    'http.request.cookie.value',
  ),
  source(
    'header',
    'request.headers',
    '/header',
    { headers: { 'x-name': 'abc' } },
    'FASTIFY_HEADER',
    'http.request.header',
    'x-name',
  ),
];

/** Sends one request and returns the SQL_INJECTION findings and sources of its span. */
async function findings(agent: TestAgent, port: number, urlPath: string, send: Send) {
  const known = new Set(agent.spans);
  const res = await request(port, urlPath, send);
  const pathOnly = urlPath.split('?')[0] as string;
  const span = await agent.waitFor(
    (s) => !known.has(s) && s.type === 'web' && (s.meta['http.url'] ?? '').endsWith(pathOnly),
  );
  const iast = iastOf(span);
  return {
    status: res.status,
    body: res.body.toString(),
    sources: iast.sources,
    vulnerabilities: iast.vulnerabilities,
  };
}

interface AppUnderTest {
  readonly title: string;
  readonly file: string;
  readonly importer: 'cjs' | 'esm';
  readonly library: string;
  readonly installedAs?: string;
  readonly env?: Record<string, string>;
  readonly sources: SourceCase[];
}

const FASTIFY_PARTS: SourceCase[] = [
  source(
    'multipart field (@fastify/multipart request.parts())',
    'request.parts()',
    '/parts',
    MULTIPART_BODY,
    'FASTIFY_PARTS',
    'http.request.multipart.parameter',
  ),
];

const APPS_UNDER_TEST: AppUnderTest[] = [
  {
    title: 'koa 3, @koa/bodyparser',
    file: 'koa-app.cjs',
    importer: 'cjs',
    library: 'koa',
    sources: KOA_SOURCES,
  },
  {
    title: 'koa 2, koa-bodyparser',
    file: 'koa-app.cjs',
    importer: 'cjs',
    library: 'koa',
    installedAs: 'koa2',
    env: { KOA: 'koa2', BODYPARSER: 'koa-bodyparser' },
    sources: KOA_SOURCES,
  },
  {
    title: 'koa 3 as an ES module',
    file: 'koa-app.mjs',
    importer: 'esm',
    library: 'koa',
    sources: KOA_SOURCES,
  },
  {
    title: 'fastify 5',
    file: 'fastify-app.cjs',
    importer: 'cjs',
    library: 'fastify',
    sources: FASTIFY_SOURCES,
  },
  {
    title: 'fastify 4',
    file: 'fastify-app.cjs',
    importer: 'cjs',
    library: 'fastify',
    installedAs: 'fastify4',
    env: { FASTIFY: 'fastify4' },
    sources: FASTIFY_SOURCES,
  },
  {
    title: 'fastify 5, multipart fields read with request.parts()',
    file: 'fastify-app.cjs',
    importer: 'cjs',
    library: 'fastify',
    env: { MULTIPART: 'parts' },
    sources: FASTIFY_PARTS,
  },
  {
    title: 'fastify 4, multipart fields read with request.parts()',
    file: 'fastify-app.cjs',
    importer: 'cjs',
    library: 'fastify',
    installedAs: 'fastify4',
    env: { FASTIFY: 'fastify4', MULTIPART: 'parts' },
    sources: FASTIFY_PARTS,
  },
  {
    title: 'fastify 5 as an ES module',
    file: 'fastify-app.mjs',
    importer: 'esm',
    library: 'fastify',
    sources: FASTIFY_SOURCES,
  },
];

for (const under of APPS_UNDER_TEST) {
  describe(under.title, () => {
    const file = path.join(APPS, under.file);
    const markerPrefix = under.importer === 'esm' ? '@ESM_' : '@';
    const agent = new TestAgent();
    let app: RunningApp;
    before(async () => {
      app = await startApp(file, {
        preload: [under.importer === 'esm' ? '--import' : '--require', INIT],
        env: {
          DD_TRACE_AGENT_URL: await agent.start(),
          SLUICE_IAST_REDACTION_ENABLED: 'false',
          SLUICE_IAST_DEDUPLICATION_ENABLED: 'false',
          ...under.env,
        },
      });
    });
    after(async () => {
      assert.equal(await app.stop(), 0, app.stderr);
      await agent.stop();
    });

    for (const c of under.sources) {
      test(`${c.name} (${c.call}) in a SQL query is reported with its source`, async () => {
        const found = await findings(agent, app.port, c.path, c.send);
        assert.equal(found.status, 200, found.body);
        assert.deepEqual(JSON.parse(found.body), { v: 'abc' });
        const sql = found.vulnerabilities.filter((v) => v.type === 'SQL_INJECTION');
        assert.equal(sql.length, 1, JSON.stringify(found));
        const v = sql[0] as IastVulnerability;
        assert.equal(v.location.path, under.file);
        assert.equal(v.location.line, lineOf(file, `${markerPrefix}${c.marker}`));
        assert.deepEqual(v.evidence.valueParts, [
          { value: "SELECT '" },
          { value: 'abc', source: 0 },
          { value: "' AS v" },
        ]);
        assert.deepEqual(found.sources, [{ origin: c.origin, name: c.sourceName, value: 'abc' }]);
        recordSourceCoverage({
          library: under.library,
          installedAs: under.installedAs,
          importer: under.importer,
          source: c.call,
        });
      });

      test(`${c.name} (${c.call}) bound as a parameter reports nothing`, async () => {
        const found = await findings(agent, app.port, c.safePath, c.send);
        assert.equal(found.status, 200, found.body);
        assert.deepEqual(JSON.parse(found.body), { v: 'abc' });
        assert.deepEqual(found.vulnerabilities, []);
      });
    }
  });
}

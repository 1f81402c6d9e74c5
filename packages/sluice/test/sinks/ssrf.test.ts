// SSRF end to end: express apps (CommonJS and ES module) under Sluice send real requests with
// every supported client to target servers this test runs (HTTP/1.1, and h2c for http2).
// A tainted host is reported at the client's call line, once per request, with exactly the
// tainted characters marked; a tainted query value, a tainted path (by default), an
// encodeURIComponent'd path and a constant URL are not.
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OutgoingUrls } from '../../src/analyzers/outgoing-url.js';
import { HttpClientInstrumentation } from '../../src/instrument/http-client.js';
import { unwrapped } from '../../src/instrument/shim.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import type { Source } from '../../src/taint/types.js';
import { markBit } from '../../src/vulnerability-types.js';
import { lineOf, type RunningApp, TestAgent } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, SINK_APPS, startSinkApp } from './helpers.js';

const TYPE = 'SSRF';

interface Client {
  /** The app's client key (route parameter). */
  readonly key: string;
  readonly marker: string;
  /** Library as users import it, hooked call, and the installed package when it differs. */
  readonly library: string;
  readonly call: string;
  readonly installedAs?: string;
  /** The request reaches the hook as an options object: host and port are separate ranges. */
  readonly fields?: boolean;
  readonly scheme?: 'https';
  readonly http2?: boolean;
}

const CJS_CLIENTS: Client[] = [
  { key: 'http.request', marker: '@CLIENT_HTTP_REQUEST', library: 'node:http', call: 'http.request' },
  { key: 'http.get', marker: '@CLIENT_HTTP_GET', library: 'node:http', call: 'http.get' },
  {
    key: 'http.get-options',
    marker: '@CLIENT_OPTIONS',
    library: 'node:http',
    call: 'http.get (options object)',
    fields: true,
  },
  {
    key: 'https.request',
    marker: '@CLIENT_HTTPS_REQUEST',
    library: 'node:https',
    call: 'https.request',
    scheme: 'https',
  },
  {
    key: 'https.get',
    marker: '@CLIENT_HTTPS_GET',
    library: 'node:https',
    call: 'https.get',
    scheme: 'https',
  },
  {
    key: 'http2.connect',
    marker: '@CLIENT_HTTP2',
    library: 'node:http2',
    call: 'http2.connect',
    http2: true,
  },
  { key: 'fetch', marker: '@CLIENT_FETCH', library: 'fetch', call: 'fetch (global)' },
  {
    key: 'undici.request',
    marker: '@CLIENT_UNDICI_REQUEST',
    library: 'undici',
    call: 'undici.request',
    fields: true,
  },
  { key: 'undici.fetch', marker: '@CLIENT_UNDICI_FETCH', library: 'undici', call: 'undici.fetch' },
  { key: 'axios', marker: '@CLIENT_AXIOS', library: 'axios', call: 'axios.get', fields: true },
  {
    key: 'node-fetch',
    marker: '@CLIENT_NODE_FETCH',
    library: 'node-fetch',
    installedAs: 'node-fetch2',
    call: 'fetch (v2)',
    fields: true,
  },
];

const ESM_CLIENTS: Client[] = [
  { key: 'http.request', marker: '@ESM_HTTP_REQUEST', library: 'node:http', call: 'request (named import)' },
  { key: 'fetch', marker: '@ESM_FETCH', library: 'fetch', call: 'fetch (global)' },
  {
    key: 'undici.request',
    marker: '@ESM_UNDICI_REQUEST',
    library: 'undici',
    call: 'request (named import)',
    fields: true,
  },
  { key: 'axios', marker: '@ESM_AXIOS', library: 'axios', call: 'axios.get', fields: true },
  { key: 'got', marker: '@ESM_GOT', library: 'got', call: 'got()' },
  { key: 'node-fetch', marker: '@ESM_NODE_FETCH', library: 'node-fetch', call: 'fetch', fields: true },
];

/** The servers the apps' outgoing requests go to; each answers 200. */
class Targets {
  readonly #http = http.createServer((_req, res) => res.end('target'));
  readonly #h2 = http2.createServer((_req, res) => res.end('target'));
  httpPort = 0;
  h2Port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.#http.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.#h2.listen(0, '127.0.0.1', r));
    this.httpPort = (this.#http.address() as AddressInfo).port;
    this.h2Port = (this.#h2.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#http.closeAllConnections();
    await new Promise((r) => this.#http.close(r));
    await new Promise((r) => this.#h2.close(r));
  }
}

const tainted = (value: string) => ({ value, source: 0 });

function run(file: string, env: Record<string, string> = {}) {
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  const targets = new Targets();
  const state: { app?: RunningApp } = {};
  before(async () => {
    await targets.start();
    // Without deduplication, a client reported again by http.request underneath would show as
    // a second finding.
    state.app = await startSinkApp(file, await agent.start(), {
      TARGET_PORT: String(targets.httpPort),
      H2_PORT: String(targets.h2Port),
      ...env,
    });
  });
  after(async () => {
    assert.equal(await state.app?.stop(), 0, state.app?.stderr);
    await agent.stop();
    await targets.stop();
  });
  const port = () => state.app?.port as number;
  /** What the client answered: the target's status, or an error for TLS against plain HTTP. */
  const assertSent = (client: Client, body: string) => {
    if (client.scheme === 'https') assert.match(body, /^error /);
    else assert.equal(body, '200');
  };

  const vulnerable = (client: Client) =>
    test(`${client.key}: a tainted host and port reported`, async () => {
      const host = `127.0.0.1:${client.http2 ? targets.h2Port : targets.httpPort}`;
      const found = await findingsOf(agent, port(), `/host/${client.key}?host=${host}`, TYPE);
      assert.equal(found.status, 200, found.body);
      assertSent(client, found.body);
      const [hostname, hostPort] = host.split(':') as [string, string];
      const authority = client.fields
        ? [tainted(hostname), { value: ':' }, tainted(hostPort)]
        : [tainted(host)];
      assertOne(found, {
        path: file,
        line: lineOf(source, client.marker),
        valueParts: [{ value: `${client.scheme ?? 'http'}://` }, ...authority, { value: '/r' }],
        sources: [{ origin: 'http.request.parameter', name: 'host', value: host }],
      });
      recordCoverage({
        library: client.library,
        ...(client.installedAs ? { installedAs: client.installedAs } : {}),
        type: TYPE,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: client.call,
      });
    });

  const safe = (client: Client, name: string, urlPath: string) =>
    test(`${client.key}: ${name} not reported`, async () => {
      const found = await findingsOf(agent, port(), urlPath, TYPE);
      assert.equal(found.status, 200, found.body);
      assertSent(client, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });

  const allCases = (client: Client) => {
    vulnerable(client);
    safe(client, 'a tainted query value of a fixed host', `/query/${client.key}?q=abc`);
    safe(client, 'a tainted path (path option off)', `/path/${client.key}?seg=abc`);
    safe(client, 'an encodeURIComponent path', `/encoded/${client.key}?seg=abc`);
    safe(client, 'a constant URL', `/const/${client.key}`);
  };
  return { agent, targets, port, source, allCases, safe, assertSent };
}

describe('SSRF (CommonJS app, express 5)', () => {
  const { allCases } = run('ssrf-app.cjs');
  for (const client of CJS_CLIENTS) allCases(client);
});

describe('SSRF (ES module app, express 5)', () => {
  const { allCases } = run('ssrf-app.mjs');
  for (const client of ESM_CLIENTS) allCases(client);
});

describe('SSRF with SLUICE_IAST_SSRF_PATH_ENABLED=true (CommonJS app)', () => {
  const file = 'ssrf-app.cjs';
  const { agent, targets, port, source, safe, assertSent } = run(file, {
    SLUICE_IAST_SSRF_PATH_ENABLED: 'true',
  });
  for (const client of CJS_CLIENTS.filter((c) => ['http.get', 'http.get-options', 'axios'].includes(c.key))) {
    test(`${client.key}: a tainted path reported`, async () => {
      const found = await findingsOf(agent, port(), `/path/${client.key}?seg=abc`, TYPE);
      assert.equal(found.status, 200, found.body);
      assertSent(client, found.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, client.marker),
        valueParts: [{ value: `http://127.0.0.1:${targets.httpPort}/r/` }, tainted('abc')],
        sources: [{ origin: 'http.request.parameter', name: 'seg', value: 'abc' }],
      });
    });
    safe(client, 'an encodeURIComponent path', `/encoded/${client.key}?seg=abc`);
    safe(client, 'a tainted query value of a fixed host', `/query/${client.key}?q=abc`);
  }
});

describe('SSRF rule: which parts of a URL a tainted range can change', () => {
  const engine = createJsEngine();
  const SOURCE: Source = { origin: 'http.request.parameter', name: 'x', value: 'x' };
  const urls = new OutgoingUrls(() => engine, TYPE);
  const HTTP = { protocol: 'http:', host: 'localhost' };
  /** `prefix + input + suffix` with `input` tainted (marked for `marks`). */
  const built = (prefix: string, input: string, suffix = '', marks = 0) =>
    engine.taint(`${prefix}${input}${suffix}`, [
      { start: prefix.length, end: prefix.length + input.length, source: SOURCE, marks },
    ]);
  const parts = (url: unknown, options?: unknown) => {
    const t = urls.target(url, options, HTTP);
    return t && { authority: t.authority, path: t.path, evidence: t.url.value };
  };

  test('a range in the scheme, userinfo, host or port controls the authority, benign or not', () => {
    engine.runInScope(() => {
      for (const [prefix, input, suffix] of [
        ['', 'http', '://fixed.example/a'],
        ['http://', 'user', ':pw@fixed.example/a'],
        ['http://', 'abc', '/a'],
        ['http://', 'evil.example', '/a'],
        ['http://fixed.example:', '8080', '/a'],
        ['', 'http://abc/', ''],
      ] as const)
        assert.equal(parts(built(prefix, input, suffix))?.authority, true, prefix + input + suffix);
    });
  });

  test('a range that starts where the authority ends can still extend it', () => {
    engine.runInScope(() => {
      // 'http://fixed.example' + '.evil.example/' or '@evil.example/' changes the host.
      assert.equal(parts(built('http://fixed.example', '/users'))?.authority, true);
      assert.equal(parts(built('http://fixed.example', '?q=1'))?.authority, true);
      assert.equal(parts(built('http://fixed.example\\', 'x'))?.authority, false);
    });
  });

  test('after a fixed authority: a path range controls the path only, a query range nothing', () => {
    engine.runInScope(() => {
      assert.deepEqual(parts(built('http://fixed.example/', 'users')), {
        authority: false,
        path: true,
        evidence: 'http://fixed.example/users',
      });
      assert.deepEqual(parts(built('http://fixed.example/a', '?q=1'))?.path, true);
      assert.deepEqual(parts(built('http://fixed.example/a?q=', '@evil.example/'))?.path, false);
      assert.deepEqual(parts(built('http://fixed.example/a?q=', '@evil.example/'))?.authority, false);
      assert.deepEqual(parts(built('http://fixed.example/a#', 'x'))?.path, false);
    });
  });

  test('secure-marked ranges do not count', () => {
    engine.runInScope(() => {
      const marked = built('http://', 'abc', '/a', markBit('SSRF'));
      assert.equal(urls.target(marked, undefined, HTTP)?.url.ranges.length, 0);
    });
  });

  test('options objects: fields assembled in place; a tainted path option never changes the host', () => {
    engine.runInScope(() => {
      const host = built('', 'abc');
      const target = urls.target(undefined, { hostname: host, port: 8080, path: '/a' }, HTTP);
      assert.equal(target?.url.value, 'http://abc:8080/a');
      assert.deepEqual(
        target?.url.ranges.map((r) => [r.start, r.end]),
        [[7, 10]],
      );
      assert.equal(target?.authority, true);
      const byPath = parts(undefined, { hostname: 'fixed.example', path: built('', '/users') });
      assert.deepEqual(byPath, { authority: false, path: true, evidence: 'http://fixed.example/users' });
      // undici: { origin, path }; a URL string beside options keeps its host and takes the path.
      assert.equal(parts(undefined, { origin: built('http://', 'abc'), path: '/a' })?.authority, true);
      assert.deepEqual(parts(built('http://', 'abc', '/ignored'), { path: '/a' }), {
        authority: true,
        path: false,
        evidence: 'http://abc/a',
      });
    });
  });
});

describe('http client hooks cycle enable, disable, enable', () => {
  test('http.request publishes only while enabled; the original comes back', () => {
    const original = unwrapped(http.request);
    const seen: unknown[] = [];
    const listener = (m: unknown) => seen.push(m);
    diagnosticsChannel.subscribe('sluice:http.client.request', listener);
    const inst = new HttpClientInstrumentation((e) => assert.fail(String(e)));
    const fire = () =>
      http
        .request('http://127.0.0.1:9/')
        .on('error', () => {})
        .destroy();
    try {
      inst.enable();
      inst.enable();
      fire();
      assert.equal(seen.length, 1);
      inst.disable();
      assert.equal(http.request, original);
      fire();
      assert.equal(seen.length, 1);
      inst.enable();
      fire();
      assert.equal(seen.length, 2);
      assert.deepEqual(seen[1], { api: 'http.request', url: 'http://127.0.0.1:9/', options: undefined });
    } finally {
      inst.disable();
      diagnosticsChannel.unsubscribe('sluice:http.client.request', listener);
    }
  });
});

// End to end: real http, https and http2 apps (CommonJS and ES module) under Sluice in a
// child process; the test agent decodes what the exporter sends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  APPS,
  type DecodedSpan,
  INIT,
  iastOf,
  lineOf,
  type RunningApp,
  request,
  startApp,
  TestAgent,
} from './helpers.js';

const ROUTES = path.join(APPS, 'routes.cjs');

function certificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

function vulnerabilities(span: DecodedSpan) {
  return iastOf(span).vulnerabilities;
}

type Fetch = (urlPath: string) => Promise<{ status: number; body: Buffer }>;

/** The taint-free cases every server kind must report, and their safe twins that must not. */
function serverCases(name: string, setup: () => { agent: TestAgent; fetch: Fetch; secure: boolean }) {
  const cases: Array<[string, string, string, string | undefined]> = [
    ['/weak-hash', 'WEAK_HASH', '@WEAK_HASH', 'md5'],
    ['/weak-cipher', 'WEAK_CIPHER', '@WEAK_CIPHER', 'des-ede3-cbc'],
    ['/weak-random', 'WEAK_RANDOMNESS', '@WEAK_RANDOMNESS', 'Math.random'],
    ['/cookie', 'INSECURE_COOKIE', '@COOKIE', 'session'],
    ['/cookie', 'NO_HTTPONLY_COOKIE', '@COOKIE', 'session'],
    ['/cookie', 'NO_SAMESITE_COOKIE', '@COOKIE', 'session'],
    ['/stack', 'STACKTRACE_LEAK', '@STACKTRACE_LEAK', undefined],
  ];
  const seen = new Map<string, DecodedSpan>();
  const spanFor = async (urlPath: string) => {
    let span = seen.get(urlPath);
    if (!span) {
      const { agent, fetch } = setup();
      const res = await fetch(urlPath);
      assert.ok(res.status === 200 || res.status === 500, `${urlPath} answered ${res.status}`);
      span = await agent.waitForRequest(urlPath);
      seen.set(urlPath, span);
    }
    return span;
  };
  for (const [urlPath, type, marker, evidence] of cases) {
    test(`${name}: ${urlPath} reports ${type} at its line`, async () => {
      const span = await spanFor(urlPath);
      const v = vulnerabilities(span).find((x) => x.type === type);
      assert.ok(v, `${type} in ${span.meta['_dd.iast.json']}`);
      assert.equal(v.location.path, 'routes.cjs');
      assert.equal(v.location.line, lineOf(ROUTES, marker));
      if (evidence !== undefined) assert.equal(v.evidence.value, evidence);
      else assert.match(v.evidence.value ?? '', /at .*routes\.cjs:\d+/);
      assert.equal(v.location.spanId, Number(span.span_id));
      assert.equal(span.metrics['_dd.iast.enabled'], 1);
      assert.equal(span.type, 'web');
      assert.equal(span.resource, 'GET');
      assert.equal(span.meta['http.method'], 'GET');
      assert.equal(span.meta['http.status_code'], urlPath === '/stack' ? '500' : '200');
      if (v.location.stackId !== undefined) {
        const { decode } = await import('./msgpack-decode.js');
        const stacks = decode(span.meta_struct?.['_dd.stack'] as Buffer) as {
          vulnerability: Array<{ id: string; frames: Array<{ file: string; line: number }> }>;
        };
        const stack = stacks.vulnerability.find((s) => s.id === v.location.stackId);
        assert.ok(stack?.frames.some((f) => f.file === ROUTES && f.line === v.location.line));
      }
    });
  }
  test(`${name}: an HTML page without headers reports the missing headers`, async () => {
    const { secure } = setup();
    const span = await spanFor('/html');
    const types = vulnerabilities(span).map((v) => v.type);
    assert.ok(types.includes('XCONTENTTYPE_HEADER_MISSING'), types.join());
    assert.equal(types.includes('HSTS_HEADER_MISSING'), secure);
    const x = vulnerabilities(span).find((v) => v.type === 'XCONTENTTYPE_HEADER_MISSING');
    assert.equal(x?.location.path, undefined);
  });
  for (const safe of [
    '/safe-hash',
    '/safe-cipher',
    '/safe-random',
    '/safe-cookie',
    '/safe-html',
    '/safe-error',
  ]) {
    test(`${name}: ${safe} reports nothing`, async () => {
      const span = await spanFor(safe);
      assert.deepEqual(vulnerabilities(span), []);
      assert.equal(span.metrics['_dd.iast.enabled'], 1);
    });
  }
}

describe('plain http (CommonJS)', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    const url = await agent.start();
    app = await startApp('http-app.cjs', { env: { DD_TRACE_AGENT_URL: url, DD_SERVICE: 'e2e-http' } });
  });
  after(async () => {
    assert.equal(await app.stop(), 0);
    await agent.stop();
  });
  serverCases('http', () => ({ agent, fetch: (p) => request(app.port, p), secure: false }));

  test('http: spans join an incoming Datadog or W3C trace', async () => {
    await request(app.port, '/echo?dd', {
      headers: { 'x-datadog-trace-id': '1234567890123', 'x-datadog-parent-id': '42' },
    });
    const dd = await agent.waitForRequest('/echo');
    assert.equal(dd.trace_id, 1234567890123n);
    assert.equal(dd.parent_id, 42n);
    assert.equal(dd.service, 'e2e-http');
    await request(app.port, '/echo/w3c', {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    const w3c = await agent.waitForRequest('/echo/w3c');
    assert.equal(w3c.trace_id, 0x8448eb211c80319cn);
    assert.equal(w3c.parent_id, 0xb7ad6b7169203331n);
    assert.equal(w3c.meta['_dd.p.tid'], '0af7651916cd43dd');
  });

  test('http: the exporter speaks the agent protocol', () => {
    const put = agent.requests.find((r) => r.url === '/v0.4/traces');
    assert.ok(put);
    assert.equal(put.method, 'PUT');
    assert.equal(put.headers['content-type'], 'application/msgpack');
    assert.equal(put.headers['datadog-meta-lang'], 'nodejs');
    assert.match(String(put.headers['x-datadog-trace-count']), /^\d+$/);
  });
});

describe('https with a generated certificate', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    const url = await agent.start();
    const { key, cert } = certificate();
    app = await startApp('https-app.cjs', { env: { DD_TRACE_AGENT_URL: url }, args: [key, cert] });
  });
  after(async () => {
    assert.equal(await app.stop(), 0);
    await agent.stop();
  });
  const fetch: Fetch = (p) =>
    new Promise((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: app.port, path: p, rejectUnauthorized: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  serverCases('https', () => ({ agent, fetch, secure: true }));
});

describe('http2 (secure, compatibility API)', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  let session: http2.ClientHttp2Session;
  before(async () => {
    const url = await agent.start();
    const { key, cert } = certificate();
    app = await startApp('http2-app.cjs', { env: { DD_TRACE_AGENT_URL: url }, args: [key, cert] });
    session = http2.connect(`https://127.0.0.1:${app.port}`, { rejectUnauthorized: false });
  });
  after(async () => {
    session.close();
    assert.equal(await app.stop(), 0);
    await agent.stop();
  });
  const fetch: Fetch = (p) =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':path': p });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
      stream.end();
    });
  serverCases('http2', () => ({ agent, fetch, secure: true }));
});

describe('ES module app under --import', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    const url = await agent.start();
    app = await startApp('http-app.mjs', { preload: ['--import', INIT], env: { DD_TRACE_AGENT_URL: url } });
  });
  after(async () => {
    assert.equal(await app.stop(), 0);
    await agent.stop();
  });

  test('esm: weak hash through a named import is reported at its line', async () => {
    await request(app.port, '/weak-hash');
    const span = await agent.waitForRequest('/weak-hash');
    const v = vulnerabilities(span).find((x) => x.type === 'WEAK_HASH');
    assert.ok(v, span.meta['_dd.iast.json']);
    assert.equal(v.location.path, 'http-app.mjs');
    assert.equal(v.location.line, lineOf(path.join(APPS, 'http-app.mjs'), '@ESM_WEAK_HASH'));
    assert.equal(v.evidence.value, 'sha1');
  });

  test('esm: only the cookie lacking SameSite=Strict is reported', async () => {
    await request(app.port, '/cookie');
    const span = await agent.waitForRequest('/cookie');
    const found = vulnerabilities(span).map((v) => `${v.type}:${v.evidence.value}`);
    assert.deepEqual(found, ['NO_SAMESITE_COOKIE:a']);
  });

  test('esm: safe hash reports nothing', async () => {
    await request(app.port, '/safe-hash');
    const span = await agent.waitForRequest('/safe-hash');
    assert.deepEqual(vulnerabilities(span), []);
  });
});

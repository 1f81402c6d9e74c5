// End to end: Express 4 and 5 apps and a TypeScript app (tsc output with source maps, and
// tsx) under Sluice in a child process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  APPS,
  INIT,
  iastOf,
  lineOf,
  PACKAGE_DIR,
  type RunningApp,
  request,
  startApp,
  TestAgent,
} from './helpers.js';

const ROOT = path.join(PACKAGE_DIR, '../..');

for (const version of [4, 5]) {
  const file = `express${version}-app.cjs`;
  const source = path.join(APPS, file);
  describe(`express ${version}`, () => {
    const agent = new TestAgent();
    let app: RunningApp;
    before(async () => {
      const url = await agent.start();
      app = await startApp(file, { env: { DD_TRACE_AGENT_URL: url } });
    });
    after(async () => {
      assert.equal(await app.stop(), 0);
      await agent.stop();
    });

    test(`express ${version}: weak hash in a route, resource is the route`, async () => {
      await request(app.port, '/users/7/hash');
      const span = await agent.waitForRequest('/users/7/hash');
      assert.equal(span.resource, 'GET /users/:id/hash');
      assert.equal(span.meta['http.route'], '/users/:id/hash');
      const v = iastOf(span).vulnerabilities.find((x) => x.type === 'WEAK_HASH');
      assert.ok(v, span.meta['_dd.iast.json']);
      assert.equal(v.location.path, file);
      assert.equal(v.location.line, lineOf(source, '@EXPRESS_WEAK_HASH'));
      assert.equal(v.evidence.value, 'md5');
    });

    test(`express ${version}: res.cookie without flags, located at res.cookie`, async () => {
      await request(app.port, '/cookie');
      const span = await agent.waitForRequest('/cookie');
      const found = iastOf(span).vulnerabilities.filter((v) => v.type.includes('COOKIE'));
      assert.deepEqual(found.map((v) => v.type).sort(), [
        'INSECURE_COOKIE',
        'NO_HTTPONLY_COOKIE',
        'NO_SAMESITE_COOKIE',
      ]);
      for (const v of found) {
        assert.equal(v.evidence.value, 'prefs');
        assert.equal(v.location.line, lineOf(source, '@EXPRESS_COOKIE'));
      }
    });

    test(`express ${version}: HTML page without nosniff`, async () => {
      await request(app.port, '/page');
      const span = await agent.waitForRequest('/page');
      assert.ok(iastOf(span).vulnerabilities.some((v) => v.type === 'XCONTENTTYPE_HEADER_MISSING'));
    });

    test(`express ${version}: the development error page leaks a stack trace`, async () => {
      const res = await request(app.port, '/crash');
      assert.equal(res.status, 500);
      const span = await agent.waitForRequest('/crash');
      assert.equal(span.error, 1);
      assert.ok(
        iastOf(span).vulnerabilities.some((v) => v.type === 'STACKTRACE_LEAK'),
        span.meta['_dd.iast.json'],
      );
    });

    for (const safe of ['/users/7/safe-hash', '/safe-cookie', '/safe-page']) {
      test(`express ${version}: ${safe} reports nothing`, async () => {
        await request(app.port, safe);
        const span = await agent.waitForRequest(safe);
        assert.deepEqual(iastOf(span).vulnerabilities, []);
      });
    }

    test(`express ${version}: in production the error page leaks nothing`, async () => {
      const prodAgent = new TestAgent();
      const url = await prodAgent.start();
      const prod = await startApp(file, { env: { DD_TRACE_AGENT_URL: url, NODE_ENV: 'production' } });
      try {
        const res = await request(prod.port, '/crash');
        assert.equal(res.status, 500);
        const span = await prodAgent.waitForRequest('/crash');
        assert.deepEqual(
          iastOf(span).vulnerabilities.filter((v) => v.type === 'STACKTRACE_LEAK'),
          [],
        );
      } finally {
        await prod.stop();
        await prodAgent.stop();
      }
    });
  });
}

describe('express 5 as an ES module under --import', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    const url = await agent.start();
    app = await startApp('express5-app.mjs', {
      preload: ['--import', INIT],
      env: { DD_TRACE_AGENT_URL: url },
    });
  });
  after(async () => {
    assert.equal(await app.stop(), 0);
    await agent.stop();
  });

  test('esm express 5: HMAC-SHA1 in a route, at its line, resource is the route', async () => {
    await request(app.port, '/sign/9');
    const span = await agent.waitForRequest('/sign/9');
    assert.equal(span.resource, 'GET /sign/:id');
    const v = iastOf(span).vulnerabilities.find((x) => x.type === 'WEAK_HASH');
    assert.ok(v, span.meta['_dd.iast.json']);
    assert.equal(v.location.path, 'express5-app.mjs');
    assert.equal(v.location.line, lineOf(path.join(APPS, 'express5-app.mjs'), '@ESM_EXPRESS_WEAK_HASH'));
    assert.equal(v.evidence.value, 'sha1');
  });

  test('esm express 5: the safe variant reports nothing', async () => {
    await request(app.port, '/safe-sign/9');
    const span = await agent.waitForRequest('/safe-sign/9');
    assert.deepEqual(iastOf(span).vulnerabilities, []);
  });
});

describe('TypeScript app', () => {
  const tsSource = path.join(APPS, 'ts-app/app.ts');
  const line = lineOf(tsSource, '@TS_WEAK_HASH');

  test('compiled by tsc: location mapped back to app.ts through the .js.map', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'sluice-ts-'));
    const project = path.join(APPS, 'ts-app');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project, '--outDir', out],
      {
        stdio: 'pipe',
      },
    );
    const agent = new TestAgent();
    const url = await agent.start();
    const app = await startApp(path.join(out, 'app.js'), { cwd: project, env: { DD_TRACE_AGENT_URL: url } });
    try {
      await request(app.port, '/weak-hash');
      const span = await agent.waitForRequest('/weak-hash');
      const v = iastOf(span).vulnerabilities.find((x) => x.type === 'WEAK_HASH');
      assert.ok(v, span.meta['_dd.iast.json']);
      assert.equal(v.location.path, 'app.ts');
      assert.equal(v.location.line, line);
      assert.equal(v.location.method, 'weak');
    } finally {
      await app.stop();
      await agent.stop();
    }
  });

  test('run by tsx: location is the .ts line', async () => {
    const agent = new TestAgent();
    const url = await agent.start();
    const app = await startApp(tsSource, {
      preload: ['--require', INIT, '--import', 'tsx'],
      cwd: path.join(APPS, 'ts-app'),
      env: { DD_TRACE_AGENT_URL: url },
    });
    try {
      await request(app.port, '/weak-hash');
      const span = await agent.waitForRequest('/weak-hash');
      const v = iastOf(span).vulnerabilities.find((x) => x.type === 'WEAK_HASH');
      assert.ok(v, span.meta['_dd.iast.json']);
      assert.equal(v.location.path, 'app.ts');
      assert.equal(v.location.line, line);
    } finally {
      await app.stop();
      await agent.stop();
    }
  });
});

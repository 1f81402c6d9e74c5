// Findings from other tracers' report shapes read well too: a Java report (class name as path,
// evidence dropped as MAX_SIZE_EXCEEDED, spanId as a string) and a Python one (the report as
// msgpack in meta_struct["iast"], a redacted tainted part).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Harness, harness, screenshot, scriptErrors } from './harness.js';
import { msgpack } from './msgpack-writer.js';
import { postTraces } from './payloads.js';

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return app !== null && !app.hasAttribute('aria-busy') && app.dataset.rendered === location.search;
  });
}

function webSpan(
  service: string,
  id: number,
  meta: Record<string, string>,
  metaStruct?: Record<string, unknown>,
) {
  return {
    trace_id: id,
    span_id: id,
    parent_id: 0,
    name: 'servlet.request',
    resource: 'GET /users',
    service,
    type: 'web',
    start: Date.now() * 1e6,
    duration: 2_000_000,
    error: 0,
    meta: { env: 'prod', 'http.method': 'GET', 'http.url': 'http://svc.local/users?id=1', ...meta },
    metrics: { '_dd.iast.enabled': 1 },
    ...(metaStruct ? { meta_struct: metaStruct } : {}),
  };
}

describe('Vulnerability Explorer with Java and Python tracer reports', { timeout: 180_000 }, () => {
  let h: Harness;
  let page: Page;

  before(async () => {
    h = await harness();
    page = h.page;
    const javaReport = {
      vulnerabilities: [
        {
          type: 'SQL_INJECTION',
          hash: 991,
          location: { spanId: '4242', path: 'com.acme.web.UserController', line: 57, method: 'findUser' },
          evidence: { value: 'MAX_SIZE_EXCEEDED' },
        },
      ],
    };
    await postTraces(
      h.collector.url,
      msgpack([[webSpan('users-java', 4242, { '_dd.iast.json': JSON.stringify(javaReport) })]]),
      'java',
    );
    const pythonReport = {
      sources: [{ origin: 'http.request.parameter', name: 'doc', redacted: true, pattern: 'abcdefgh' }],
      vulnerabilities: [
        {
          type: 'PATH_TRAVERSAL',
          hash: 992,
          location: { spanId: 4343, path: 'app/views.py', line: 12, method: 'download' },
          evidence: {
            valueParts: [{ value: '/srv/docs/' }, { source: 0, redacted: true, pattern: 'abcdefgh' }],
          },
        },
      ],
    };
    await postTraces(
      h.collector.url,
      msgpack([[webSpan('docs-python', 4343, {}, { iast: msgpack(pythonReport) })]]),
      'python',
    );
  });

  after(async () => {
    await h?.close();
  });

  test('a Java finding: class and method named once, dropped evidence explained', async () => {
    await page.goto(h.collector.url);
    await settled(page);
    assert.equal(await page.locator('#total').textContent(), '2 findings');
    await page.locator('table.findings tbody tr', { hasText: 'users-java' }).click();
    await settled(page);
    assert.equal(await page.locator('.where').textContent(), 'com.acme.web.UserController:57 in findUser');
    assert.match((await page.locator('#section-evidence').textContent()) ?? '', /MAX_SIZE_EXCEEDED/);
    assert.match((await page.locator('.facts').textContent()) ?? '', /Tracerjava java-test-1\.0/);
    await screenshot(page, '09-java');
  });

  test('a Python finding from meta_struct: the redacted tainted part stays redacted and linked', async () => {
    await page.locator('#back-to-list').click();
    await settled(page);
    await page.locator('table.findings tbody tr', { hasText: 'docs-python' }).click();
    await settled(page);
    const part = page.locator('pre.evidence a.to-source .redacted.tainted');
    assert.equal(await part.count(), 1);
    assert.equal(await part.textContent(), '••••••••', 'as long as the pattern, no content');
    assert.match(
      (await page.locator('#source-0').textContent()) ?? '',
      /http\.request\.parameter\s*doc\s*redacted/,
    );
    assert.match((await page.locator('.facts').textContent()) ?? '', /Tracerpython/);
    assert.deepEqual(scriptErrors(page), []);
  });
});

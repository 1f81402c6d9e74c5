// 10,000 findings: the Explorer asks the collector for one page and its facets, never one
// request per finding, and stays usable from the keyboard.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Harness, harness, screenshot, scriptErrors } from './harness.js';
import { manySpans, postTraces, v04 } from './payloads.js';

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return app !== null && !app.hasAttribute('aria-busy') && app.dataset.rendered === location.search;
  });
}

describe('Vulnerability Explorer with 10,000 findings', { timeout: 180_000 }, () => {
  let h: Harness;
  let page: Page;
  const apiCalls: string[] = [];

  before(async () => {
    h = await harness();
    page = h.page;
    // 400 spans of 25 findings each, in four payloads as a busy tracer would send them.
    const spans = manySpans(10_000);
    for (let i = 0; i < spans.length; i += 100)
      await postTraces(h.collector.url, v04(spans.slice(i, i + 100)));
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(url.pathname);
    });
  });

  after(async () => {
    await h?.close();
  });

  test('the first view costs three API requests and renders one page', async () => {
    await page.goto(h.collector.url);
    await settled(page);
    assert.equal(await page.locator('#total').textContent(), '10,000 findings');
    assert.equal(await page.locator('table.findings tbody tr').count(), 50);
    assert.equal(await page.locator('#page-of').textContent(), ' of 200');
    assert.deepEqual(apiCalls.sort(), ['/api/facets', '/api/findings', '/api/stats/open-by-severity']);
    const critical = page.locator('.group-severity .check', { hasText: 'Critical' }).locator('.n');
    assert.equal(await critical.textContent(), '2,000');
    await screenshot(page, '07-ten-thousand');
  });

  test('jumps to the last page by number', async () => {
    apiCalls.length = 0;
    await page.locator('#page-jump').fill('200');
    await page.locator('#page-jump').press('Enter');
    await settled(page);
    assert.equal(new URL(page.url()).searchParams.get('page'), '200');
    assert.equal(await page.locator('table.findings tbody tr').count(), 50);
    assert.equal(apiCalls.length, 3);
  });

  test('opens a finding from the keyboard with two requests, and Escape returns to the same row', async () => {
    apiCalls.length = 0;
    const link = page.locator('table.findings tbody .finding-link').nth(40);
    await link.focus();
    const rowId = await link.evaluate((a) => a.closest('tr')?.dataset.id);
    const scrolled = await page.evaluate(() => window.scrollY);
    assert.ok(scrolled > 500, `the 41st row is far down the page (scrollY ${scrolled})`);
    await page.keyboard.press('Enter');
    await settled(page);
    assert.ok(new URL(page.url()).searchParams.get('finding'));
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'finding-title',
      'focus moves to the heading',
    );
    assert.deepEqual(apiCalls.map((p) => p.replace(/\d+/, ':id')).sort(), [
      '/api/findings/:id',
      '/api/findings/:id/occurrences',
    ]);
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    await page.keyboard.press('Escape');
    await settled(page);
    assert.equal(new URL(page.url()).searchParams.get('page'), '200');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id), rowId);
    assert.ok(Math.abs((await page.evaluate(() => window.scrollY)) - scrolled) <= 2, 'back where it was');
    assert.deepEqual(scriptErrors(page), []);
  });
});

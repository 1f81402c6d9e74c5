// The Explorer in Debian's Chromium against the real collector: findings arrive through the
// trace intake as msgpack, then a person filters, opens, reads the evidence and triages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { api, type Harness, harness, screenshot, scriptErrors } from './harness.js';
import { manySpans, postTraces, SQL_TAINT, shopSpans, v04, XSS_TAINT } from './payloads.js';

interface Summary {
  id: number;
  type: string;
  status: string;
  severity: string;
}
interface Detail extends Summary {
  statusReason: string | null;
  history: { to: string; reason: string | null }[];
}

/** Waits until the newest navigation has rendered. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return app !== null && !app.hasAttribute('aria-busy') && app.dataset.rendered === location.search;
  });
}

/** Form controls, buttons, links and charts without an accessible name (a simplified check). */
async function unnamed(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const named = (el: Element) =>
      el.hasAttribute('aria-label') ||
      el.hasAttribute('aria-labelledby') ||
      ((el as HTMLInputElement).labels?.length ?? 0) > 0;
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if ((el as HTMLInputElement).type !== 'hidden' && !named(el)) out.push(el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!named(el) && (el.textContent ?? '').trim() === '') out.push(el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll('svg[role=img]')) {
      if (!(el.getAttribute('aria-label') ?? '').trim()) out.push('svg chart without a summary');
    }
    return out;
  });
}

function search(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

async function rowTypes(page: Page): Promise<string[]> {
  return page.locator('table.findings tbody .finding-link').allTextContents();
}

async function total(page: Page): Promise<string> {
  return (await page.locator('#total').textContent()) ?? '';
}

describe('Vulnerability Explorer (Chromium, real collector)', { timeout: 180_000 }, () => {
  let h: Harness;
  let page: Page;

  before(async () => {
    h = await harness();
    page = h.page;
    await postTraces(h.collector.url, v04(shopSpans()));
  });

  after(async () => {
    await h?.close();
  });

  test('lists every finding with counts per facet and the severity chart', async () => {
    await page.goto(h.collector.url);
    await settled(page);
    assert.equal(await total(page), '7 findings');
    assert.equal(await page.locator('table.findings tbody tr').count(), 7);
    // Counts next to the severity filters come from the collector's facet counts.
    const critical = page.locator('.group-severity .check', { hasText: 'Critical' });
    assert.equal(await critical.locator('.n').textContent(), '2');
    assert.equal(await page.locator('.group-service .check').count(), 2);
    assert.equal(await page.locator('.dashboard svg.chart').count(), 1);
    assert.deepEqual(await unnamed(page), []);
    await screenshot(page, '01-list');
    assert.deepEqual(scriptErrors(page), []);
  });

  test('filters by severity and service, reflects them in the address, and Back undoes them', async () => {
    await page.getByLabel('Critical', { exact: true }).check();
    await settled(page);
    assert.equal(search(page).get('severity'), 'critical');
    assert.equal(await total(page), '2 findings');
    assert.deepEqual((await rowTypes(page)).sort(), ['Command injection', 'SQL injection']);

    await page.getByLabel('High', { exact: true }).check();
    await settled(page);
    assert.equal(search(page).get('severity'), 'critical,high');
    assert.equal(await total(page), '4 findings');

    await page.getByLabel('billing', { exact: true }).check();
    await settled(page);
    assert.equal(search(page).get('service'), 'billing');
    assert.deepEqual(await rowTypes(page), ['Path traversal']);
    await screenshot(page, '02-filtered');

    // A shared link reproduces the view.
    const link = page.url();
    const other = await h.context.newPage();
    await other.goto(link);
    await settled(other);
    assert.deepEqual(await rowTypes(other), ['Path traversal']);
    assert.equal(await other.getByLabel('billing', { exact: true }).isChecked(), true);
    await other.close();

    await page.goBack();
    await settled(page);
    assert.equal(search(page).get('service'), null);
    assert.equal(await total(page), '4 findings');
    assert.equal(await page.getByLabel('High', { exact: true }).isChecked(), true);

    await page.locator('#clear-filters').click();
    await settled(page);
    assert.equal(await total(page), '7 findings');
    assert.equal(new URL(page.url()).search, '');
  });

  test('text search from the keyboard', async () => {
    await page.locator('body').press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'filter-q');
    await page.keyboard.type('etc/shadow');
    await page.keyboard.press('Enter');
    await settled(page);
    assert.equal(search(page).get('q'), 'etc/shadow');
    assert.deepEqual(await rowTypes(page), ['Path traversal']);
    await page.locator('#clear-filters').click();
    await settled(page);

    // Text typed but not submitted is applied along with a ticked box.
    await page.locator('#filter-path').fill('lib/');
    await page.getByLabel('Low', { exact: true }).check();
    await settled(page);
    assert.equal(search(page).get('path'), 'lib/');
    assert.deepEqual(await rowTypes(page), ['Weak randomness']);
    await page.locator('#clear-filters').click();
    await settled(page);
  });

  test('opens a finding: highlighted evidence linked to its source, redaction, request, stack, fix', async () => {
    await page.locator('table.findings tbody tr', { hasText: 'SQL injection' }).click();
    await settled(page);
    const id = search(page).get('finding');
    assert.ok(id, 'the finding id is in the address');
    assert.equal(await page.locator('#finding-title').textContent(), 'SQL injection');

    const mark = page.locator('pre.evidence mark.tainted');
    assert.equal(await mark.count(), 1);
    assert.equal(await mark.textContent(), SQL_TAINT);
    assert.match((await mark.getAttribute('title')) ?? '', /http\.request\.parameter “id”/);
    // The highlighted text links to its source, which names origin and parameter.
    await mark.click();
    const source = page.locator('#source-0');
    assert.match((await source.textContent()) ?? '', /http\.request\.parameter\s*id/);
    assert.equal(new URL(page.url()).hash, '#source-0');

    // Redacted evidence stays redacted: shown as such, its pattern text never printed.
    const redacted = page.locator('pre.evidence .redacted');
    assert.equal(await redacted.count(), 1);
    assert.match(
      (await redacted.getAttribute('aria-label')) ?? '',
      /Redacted, from http\.request\.header “authorization”/,
    );
    assert.equal((await page.locator('main').textContent())?.includes('abcdefghijklmnopqrst'), false);

    assert.match((await page.locator('#section-request').textContent()) ?? '', /GET.*\/products\/:id/);
    const flow = await page.locator('.flow .step').allTextContents();
    assert.equal(flow.length, 4, 'two sources, the request, the sink');
    assert.match(flow[0] ?? '', /Source.*http\.request\.parameter “id”/);
    assert.match(flow[3] ?? '', /Sink.*SQL injection at src\/routes\/products\.js:42/);
    const frames = await page.locator('.stack .frame').allTextContents();
    assert.equal(frames.length, 2);
    assert.match(frames[1] ?? '', /Router\.handle.*src\/app\.js:88:5/);
    assert.ok(
      ((await page.locator('#section-remediation').textContent()) ?? '').length > 40,
      'remediation text',
    );
    assert.equal(await page.locator('#section-occurrences svg.chart').count(), 1);
    assert.deepEqual(await unnamed(page), []);
    await screenshot(page, '03-detail');

    const historyLength = await page.evaluate(() => history.length);
    await page.getByRole('link', { name: 'Per hour' }).click();
    await settled(page);
    assert.equal(search(page).get('bucket'), 'hour');
    assert.match(
      (await page.locator('#section-occurrences svg').getAttribute('aria-label')) ?? '',
      /^Occurrences per hour/,
    );
    assert.equal(await page.evaluate(() => history.length), historyLength, 'the bucket replaces the entry');
  });

  test('muting needs a reason; the change persists across a reload and reaches the API', async () => {
    const id = search(page).get('finding') ?? '';
    await page.locator('#status-select').selectOption('muted');
    await page.locator('#status-save').click();
    assert.match((await page.locator('#status-error').textContent()) ?? '', /needs a reason/);
    assert.equal((await api<Detail>(h.collector, `/api/findings/${id}`)).status, 'open');

    const reason = 'Internal admin tool, parameter is validated by the gateway';
    await page.locator('#status-reason').fill(reason);
    await page.locator('#status-save').click();
    await page.locator('#detail-status .status-muted').waitFor();
    assert.match((await page.locator('.history').textContent()) ?? '', new RegExp(reason));
    await screenshot(page, '04-muted');

    await page.reload();
    await settled(page);
    assert.equal(await page.locator('#detail-status').textContent(), 'Muted');
    assert.match((await page.locator('.mute-reason').textContent()) ?? '', new RegExp(reason));
    assert.equal(await page.locator('#status-select').inputValue(), 'muted');
    const stored = await api<Detail>(h.collector, `/api/findings/${id}`);
    assert.equal(stored.status, 'muted');
    assert.equal(stored.statusReason, reason);
    assert.equal(stored.history.at(-1)?.reason, reason);

    // Back in the list the status filter sees it.
    await page.locator('#back-to-list').click();
    await settled(page);
    await page.getByLabel('Muted', { exact: true }).check();
    await settled(page);
    assert.deepEqual(await rowTypes(page), ['SQL injection']);
    await page.locator('#clear-filters').click();
    await settled(page);
  });

  test('attacker-controlled evidence is shown as text, never run as HTML', async () => {
    await page
      .locator('table.findings tbody tr', { hasText: 'Cross-site scripting' })
      .or(page.locator('table.findings tbody tr', { hasText: 'XSS' }))
      .first()
      .click();
    await settled(page);
    assert.equal(await page.locator('pre.evidence mark.tainted').textContent(), XSS_TAINT);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await page.keyboard.press('Escape');
    await settled(page);
    assert.equal(search(page).get('finding'), null);
    assert.deepEqual(scriptErrors(page), []);
  });

  test('an unknown finding says so and leads back to the list', async () => {
    await page.goto(`${h.collector.url}/?finding=999999`);
    await page.getByRole('heading', { name: 'Finding not found' }).waitFor();
    assert.match(
      (await page.locator('.error-view').textContent()) ?? '',
      /SLC_ERR_FINDING_NOT_FOUND, HTTP 404/,
    );
    await page.getByRole('link', { name: 'Back to all findings' }).click();
    await settled(page);
    assert.equal(await total(page), '7 findings');
  });

  test('in progress needs no reason; fixed reopens when the finding is seen again', async () => {
    await page.locator('table.findings tbody tr', { hasText: 'Command injection' }).click();
    await settled(page);
    const id = search(page).get('finding') ?? '';
    await page.locator('#status-select').selectOption('in_progress');
    await page.locator('#status-save').click();
    await page.locator('#detail-status .status-in_progress').waitFor();
    await page.locator('#status-select').selectOption('fixed');
    await page.locator('#status-reason').fill('Shell replaced by execFile with an argument list');
    await page.locator('#status-save').click();
    await page.locator('#detail-status .status-fixed').waitFor();

    await postTraces(h.collector.url, v04(shopSpans()));
    await page.reload();
    await settled(page);
    assert.equal(await page.locator('#detail-status').textContent(), 'Open');
    const history = await page.locator('.history li').allTextContents();
    assert.equal(history.length, 4, 'first seen, in progress, fixed, reopened');
    assert.match(history[0] ?? '', /Fixed → Open.*seen again/);
    assert.match(history[1] ?? '', /In progress → Fixed.*execFile/);
    assert.equal((await api<Detail>(h.collector, `/api/findings/${id}`)).status, 'open');
    await screenshot(page, '08-reopened');
    await page.locator('#back-to-list').click();
    await settled(page);
  });

  test('triages several findings at once from the list', async () => {
    assert.equal(await page.locator('#bulk-apply').isDisabled(), true);
    await page.getByLabel('Select Weak hash at src/admin/backup.js:30').check();
    await page.getByLabel('Select Insecure cookie at lib/session.js:12').check();
    assert.equal(await page.locator('#bulk-count').textContent(), '2 findings selected');
    assert.equal(
      await page.locator('#select-page').evaluate((b) => (b as HTMLInputElement).indeterminate),
      true,
    );
    await page.locator('#bulk-status').selectOption('muted');
    await page.locator('#bulk-apply').click();
    assert.equal(await page.locator('#bulk-error').textContent(), 'Muting needs a reason.');
    await page.locator('#bulk-reason').fill('Accepted risk: legacy admin tooling, tracked in SEC-12');
    await screenshot(page, '10-bulk');
    await page.locator('#bulk-apply').click();
    await page.locator('#live', { hasText: '2 findings changed to Muted.' }).waitFor();
    await settled(page);
    for (const type of ['Weak hash', 'Insecure cookie']) {
      const row = page.locator('table.findings tbody tr', { hasText: type });
      assert.equal(await row.locator('.badge.status').textContent(), 'Muted');
    }
    const muted = page.locator('.group-status .check', { hasText: 'Muted' }).locator('.n');
    assert.equal(await muted.textContent(), '3');
    const page1 = await api<{ items: Summary[] }>(h.collector, '/api/findings?status=muted&type=WEAK_HASH');
    assert.equal(page1.items.length, 1);
    const detail = await api<Detail>(h.collector, `/api/findings/${page1.items[0]?.id}`);
    assert.equal(detail.statusReason, 'Accepted risk: legacy admin tooling, tracked in SEC-12');

    await page.locator('#select-page').check();
    assert.equal(await page.locator('#bulk-count').textContent(), '7 findings selected');
    await page.locator('#select-page').uncheck();
    assert.equal(await page.locator('#bulk-apply').isDisabled(), true);
  });
});

describe('Vulnerability Explorer with a token and many findings', { timeout: 180_000 }, () => {
  let h: Harness;
  let page: Page;
  const TOKEN = 'explorer-test-token-5f2c';

  before(async () => {
    h = await harness({ token: TOKEN });
    page = h.page;
    await postTraces(h.collector.url, v04(manySpans(120)));
  });

  after(async () => {
    await h?.close();
  });

  test('opens with ?token= once: the token leaves the address, the page keeps working after reloads', async () => {
    const bare = await page.goto(h.collector.url);
    // The page itself loads without a token and asks for one when the API answers 401.
    assert.equal(bare?.status(), 200);
    await page.locator('#token-input').waitFor();
    await page.goto(`${h.collector.url}/?token=${TOKEN}&pageSize=50`);
    await settled(page);
    assert.equal(search(page).get('token'), null);
    assert.equal(await total(page), '120 findings');
    assert.equal(await page.evaluate(() => localStorage.getItem('sluice.explorer.token')), TOKEN);
    await page.reload();
    await settled(page);
    assert.equal(await total(page), '120 findings');
  });

  test('asks for the token when the API answers 401, rejects a wrong one, keeps the right one', async () => {
    // The session is lost while the page is open (cookie and stored token gone, as after a
    // collector restart with a new token): the next request gets a 401 and the prompt.
    await page.evaluate(() => localStorage.clear());
    await h.context.clearCookies();
    // click, not check: the answer replaces the list (and its checkbox) with the prompt.
    await page.getByLabel('Critical', { exact: true }).click();
    await page.locator('#token-input').waitFor();
    await screenshot(page, '05-token');
    await page.locator('#token-input').fill('wrong');
    await page.locator('#token-input').press('Enter');
    await page.getByText('refused the saved token').waitFor();
    await page.locator('#token-input').fill(TOKEN);
    await page.locator('#token-input').press('Enter');
    await settled(page);
    assert.equal(search(page).get('severity'), 'critical', 'the view asked for is the one shown');
    assert.equal(await total(page), '24 findings');
    await page.reload();
    await settled(page);
    assert.equal(await total(page), '24 findings');
    await page.locator('#clear-filters').click();
    await settled(page);
  });

  test('pages through 120 findings and sorts by severity', async () => {
    assert.equal(await page.locator('table.findings tbody tr').count(), 50);
    assert.equal(await page.locator('#page-of').textContent(), ' of 3');
    await page.locator('.pagination a[rel=next]').click();
    await settled(page);
    assert.equal(search(page).get('page'), '2');
    assert.equal(await page.locator('table.findings tbody tr').count(), 50);
    await page.locator('.pagination a[rel=last]').click();
    await settled(page);
    assert.equal(await page.locator('table.findings tbody tr').count(), 20);

    await page.locator('button[data-sort=severity]').click();
    await settled(page);
    assert.equal(search(page).get('sort'), '-severity');
    assert.equal(search(page).get('page'), null, 'sorting starts again at page 1');
    const severities = await page.locator('table.findings tbody .badge.sev').allTextContents();
    assert.deepEqual(severities.slice(0, 24), Array(24).fill('Critical'));
    assert.equal(severities[24], 'Medium');
    assert.equal(await page.locator('th[aria-sort=descending]').count(), 1);
    await screenshot(page, '06-sorted');

    await page.locator('#page-size').selectOption('200');
    await settled(page);
    assert.equal(await page.locator('table.findings tbody tr').count(), 120);
    assert.equal(await page.locator('.pagination').count(), 0);
    assert.deepEqual(scriptErrors(page), []);
  });
});

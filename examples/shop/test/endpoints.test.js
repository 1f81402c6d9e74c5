'use strict';
// The demo shop without Sluice: every flawed endpoint and its safe twin answer as the traffic
// driver expects, the twins differ where the flaw is, and the containment guards hold.
const assert = require('node:assert/strict');
const net = require('node:net');
const { after, before, describe, test } = require('node:test');
const { CASES, drive } = require('../drive');
const { ensureDependencies, start, SHOP_READY } = require('./helpers');

ensureDependencies();

describe('demo shop endpoints (no agent)', () => {
  let shop;
  let base;
  before(async () => {
    shop = start(['server.js'], { env: { SHOP_PORT: '0' }, ready: SHOP_READY });
    base = await shop.url;
  });
  after(() => shop?.stop());

  const get = (path, init = {}) => fetch(base + path, { redirect: 'manual', ...init });
  const post = (path, body, type = 'json') =>
    get(path, {
      method: 'POST',
      headers: { 'content-type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: type === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    });

  test('the driver covers every type Sluice reports, on both sides', () => {
    const types = new Set(CASES.flatMap((c) => c.types));
    for (const t of [
      'SQL_INJECTION',
      'COMMAND_INJECTION',
      'CODE_INJECTION',
      'SSRF',
      'PATH_TRAVERSAL',
      'LDAP_INJECTION',
      'TEMPLATE_INJECTION',
      'UNTRUSTED_DESERIALIZATION',
      'UNVALIDATED_REDIRECT',
      'HEADER_INJECTION',
      'XSS',
      'HARDCODED_SECRET',
      'HARDCODED_PASSWORD',
      'WEAK_HASH',
      'WEAK_CIPHER',
      'INSECURE_COOKIE',
      'NO_HTTPONLY_COOKIE',
      'NO_SAMESITE_COOKIE',
      'STACKTRACE_LEAK',
      'WEAK_RANDOMNESS',
      'HSTS_HEADER_MISSING',
      'XCONTENTTYPE_HEADER_MISSING',
    ])
      assert.ok(types.has(t), `no demo case for ${t}`);
    for (const c of CASES) assert.ok(c.vulnerable && c.safe, `${c.name} lacks a side`);
  });

  test('every flawed endpoint and every safe twin answers as expected', async () => {
    const results = await drive(base);
    assert.equal(results.length, CASES.length * 2);
    const failures = results.filter((r) => !r.ok).map((r) => `${r.side} ${r.method} ${r.path}: ${r.error}`);
    assert.deepEqual(failures, []);
  });

  test('the flaws are real where the safe twins are not', async () => {
    // XSS: markup is reflected as markup, and escaped by the twin.
    assert.match(await (await get('/search?q=%3Cb%3Ehi%3C%2Fb%3E')).text(), /Results for <b>hi<\/b>/);
    assert.match(
      await (await get('/safe/search?q=%3Cb%3Ehi%3C%2Fb%3E')).text(),
      /Results for &lt;b&gt;hi&lt;\/b&gt;/,
    );
    // SQL injection: a quote breaks the statement; the twin treats it as text.
    assert.equal((await get('/api/products/search?q=%27')).status, 500);
    assert.deepEqual(await (await get('/safe/api/products/search?q=%27')).json(), []);
    // Unvalidated redirect: the flawed login goes anywhere, the twin stays in the shop.
    const login = { username: 'alice', password: 'wonderland-42', next: 'https://elsewhere.example/' };
    assert.equal((await post('/login', login, 'form')).headers.get('location'), 'https://elsewhere.example/');
    assert.equal((await post('/safe/login', login, 'form')).headers.get('location'), '/safe/profile');
    // Wrong passwords are refused by both.
    assert.equal((await post('/login', { ...login, password: 'nope' }, 'form')).status, 401);
    assert.equal((await post('/safe/login', { ...login, password: 'nope' }, 'form')).status, 401);
    // Header injection: the file name is the request's text, or one of the shop's own.
    assert.equal(
      (await get('/export/orders?filename=x')).headers.get('content-disposition'),
      'attachment; filename="x.csv"',
    );
    assert.equal(
      (await get('/safe/export/orders?filename=x')).headers.get('content-disposition'),
      'attachment; filename="orders.csv"',
    );
    // Stack trace leak: the twin answers without frames.
    const leak = await (await get('/products/0')).text();
    assert.match(leak, /at .*routes[/\\]catalog\.js:\d+/);
    assert.doesNotMatch(await (await get('/safe/products/0')).text(), /\.js:\d+/);
    // Every page forbids scripts (containment for the XSS flaw).
    assert.match(
      (await get('/search?q=x')).headers.get('content-security-policy') ?? '',
      /script-src 'none'/,
    );
  });

  test('containment guards refuse exploit payloads and leave benign input alone', async () => {
    const refused = async (res) => {
      assert.equal(res.status, 400);
      assert.match(await res.text(), /containment guard/);
    };
    await refused(await get('/admin/ping?host=localhost%3Bid'));
    await refused(await get('/invoices/download?file=..%2Fpackage.json'));
    await refused(await get(`/images/proxy?url=${encodeURIComponent('http://example.com/')}`));
    await refused(await get(`/images/proxy?url=${encodeURIComponent('http://127.0.0.1:1/')}`));
    await refused(await post('/admin/pricing/preview', { formula: 'process.exit(1)' }));
    await refused(await post('/admin/mail/preview', { template: '<% process.exit(1) %>' }));
    await refused(await post('/admin/mail/preview', { template: '<%= process.exit(1) %>' }));
    const fn = Buffer.from('{"a":"_$$ND_FUNC$$_function(){}"}').toString('base64');
    await refused(await get('/cart', { headers: { cookie: `cart=${fn}` } }));
    // The shop is still up and serving.
    assert.equal((await get('/')).status, 200);
  });

  test('the safe twins validate their input', async () => {
    assert.equal((await get('/safe/admin/ping?host=localhost%3Bid')).status, 400);
    assert.equal((await get('/safe/invoices/abc')).status, 400);
    assert.equal((await get('/safe/invoices/7')).status, 404);
    assert.equal((await get('/safe/images/proxy?name=..%2Fapp.js')).status, 400);
    assert.equal((await post('/safe/admin/pricing/preview', { percent: 150 })).status, 400);
    const note = await (await post('/safe/admin/mail/preview', { note: '<%= customer %><b>' })).text();
    assert.match(note, /&lt;%= customer %&gt;&lt;b&gt;/);
    const bad = Buffer.from('not json').toString('base64');
    assert.deepEqual(await (await get('/safe/cart', { headers: { cookie: `cart=${bad}` } })).json(), {
      items: [],
    });
  });
});

test('the shop says clearly when its port is taken', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  try {
    const shop = start(['server.js'], {
      env: { SHOP_PORT: String(blocker.address().port) },
      ready: SHOP_READY,
    });
    await assert.rejects(shop.url, /already in use; set SHOP_PORT/);
    assert.equal((await shop.exited).code, 1);
  } finally {
    blocker.close();
  }
});

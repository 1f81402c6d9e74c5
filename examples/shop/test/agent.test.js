'use strict';
// The demo shop under the Sluice agent, reporting to a real collector: the safe twins produce
// no findings, and every flawed endpoint is reported, at the line that holds its flaw.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { drive } = require('../drive');
const {
  ensureDependencies,
  start,
  COLLECTOR_BIN,
  ROOT,
  SHOP_DIR,
  SHOP_READY,
  COLLECTOR_READY,
} = require('./helpers');

ensureDependencies();

const SERVICE = 'shop-under-test';
// Findings reported when the application's code loads, before any request: the literals in
// lib/secrets.js and the MD5 digests the seed data computes.
const AT_LOAD = new Set([
  'HARDCODED_SECRET:lib/secrets.js',
  'HARDCODED_PASSWORD:lib/secrets.js',
  'WEAK_HASH:lib/db.js',
]);

/**
 * The 1-based line of `file` (relative to the shop) that contains `text`, which must be unique
 * (or, given `after`, the first such line below the unique line that contains `after`).
 */
function lineOf(file, text, after) {
  const lines = fs.readFileSync(path.join(SHOP_DIR, file), 'utf8').split('\n');
  const find = (t) => lines.flatMap((l, i) => (l.includes(t) ? [i + 1] : []));
  if (after !== undefined) {
    const [start] = find(after);
    assert.equal(find(after).length, 1, `${after} should appear once in ${file}`);
    const hit = find(text).find((n) => n > start);
    assert.ok(hit, `${text} should follow ${after} in ${file}`);
    return hit;
  }
  const hits = find(text);
  assert.equal(hits.length, 1, `${text} should appear once in ${file}`);
  return hits[0];
}

describe('demo shop under Sluice, reporting to the collector', () => {
  let dir;
  let collector;
  let shop;
  let api;
  let base;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-'));
    collector = start([COLLECTOR_BIN, 'serve', '--port', '0', '--store', path.join(dir, 'findings.db')], {
      cwd: ROOT,
      ready: COLLECTOR_READY,
    });
    api = await collector.url;
    shop = start(['--require', 'sluice/init', 'server.js'], {
      env: {
        DD_IAST_ENABLED: 'true',
        DD_TRACE_AGENT_URL: api,
        DD_SERVICE: SERVICE,
        SHOP_PORT: '0',
        // A SLUICE_ name would win over its DD_ twin.
        SLUICE_IAST_ENABLED: undefined,
        SLUICE_TRACE_AGENT_URL: undefined,
        SLUICE_SERVICE: undefined,
      },
      ready: SHOP_READY,
    });
    base = await shop.url;
  });
  after(async () => {
    await shop?.stop();
    await collector?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const findings = async () => {
    const res = await fetch(`${api}/api/findings?service=${SERVICE}&pageSize=200`);
    assert.equal(res.status, 200);
    return (await res.json()).items;
  };
  /** Polls the collector until `done(findings)` holds (the agent exports once a second). */
  const until = async (done, what) => {
    const deadline = Date.now() + 20_000;
    let last = [];
    while (Date.now() < deadline) {
      last = await findings();
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail(
      `${what} did not arrive; the collector has ${JSON.stringify(last.map((f) => [f.type, f.location?.path]))}`,
    );
  };
  const key = (f) => `${f.type}:${f.location?.path ?? ''}`;

  test('the safe twins are not reported', async () => {
    const results = await drive(base, { only: 'safe' });
    assert.deepEqual(
      results.filter((r) => !r.ok).map((r) => `${r.path}: ${r.error}`),
      [],
    );
    // A marker from one flawed endpoint, sent last: once it is in, so is everything before it.
    assert.equal((await fetch(`${base}/coupons/new`)).status, 200);
    const all = await until((fs) => fs.some((f) => f.type === 'WEAK_RANDOMNESS'), 'the marker finding');
    const unexpected = all.filter((f) => f.type !== 'WEAK_RANDOMNESS' && !AT_LOAD.has(key(f)));
    assert.deepEqual(unexpected.map(key), []);
  });

  test('the flawed endpoints are reported where the flaws are', async () => {
    const results = await drive(base, { only: 'vulnerable' });
    assert.deepEqual(
      results.filter((r) => !r.ok).map((r) => `${r.path}: ${r.error}`),
      [],
    );
    const expected = {
      'WEAK_HASH:routes/account.js': lineOf('routes/account.js', ".createHash('md5')"),
      'WEAK_HASH:lib/db.js': lineOf('lib/db.js', "createHash('md5')"),
      'WEAK_CIPHER:routes/orders.js': lineOf('routes/orders.js', "createCipheriv('des-ede3-cbc'"),
      'WEAK_RANDOMNESS:routes/orders.js': lineOf('routes/orders.js', 'Math.random()'),
      'INSECURE_COOKIE:routes/account.js': lineOf('routes/account.js', "res.cookie('session'"),
      'NO_HTTPONLY_COOKIE:routes/account.js': lineOf('routes/account.js', "res.cookie('session'"),
      'NO_SAMESITE_COOKIE:routes/account.js': lineOf('routes/account.js', "res.cookie('session'"),
      'HARDCODED_SECRET:lib/secrets.js': lineOf('lib/secrets.js', 'const paymentApiKey ='),
      'HARDCODED_PASSWORD:lib/secrets.js': lineOf('lib/secrets.js', 'const adminPassword ='),
      'STACKTRACE_LEAK:routes/errors.js': undefined,
      'HSTS_HEADER_MISSING:': undefined,
      'XCONTENTTYPE_HEADER_MISSING:': undefined,
      // The taint-based flaws: the request's text reaches the sink on these lines.
      'SQL_INJECTION:routes/catalog.js': lineOf('routes/catalog.js', 'LIKE', 'FLAW (SQL_INJECTION)'),
      'XSS:routes/catalog.js': lineOf('routes/catalog.js', '.send(page(', 'FLAW (XSS)'),
      'COMMAND_INJECTION:routes/admin.js': lineOf('routes/admin.js', 'exec(`'),
      'CODE_INJECTION:routes/admin.js': lineOf('routes/admin.js', 'eval(formula)'),
      'LDAP_INJECTION:routes/admin.js': lineOf('routes/admin.js', "client.search('ou=staff"),
      'TEMPLATE_INJECTION:routes/admin.js': lineOf('routes/admin.js', '.send(ejs.render(template'),
      'HEADER_INJECTION:routes/orders.js': lineOf(
        'routes/orders.js',
        "res.setHeader('Content-Disposition'",
        'FLAW (HEADER_INJECTION)',
      ),
      'UNTRUSTED_DESERIALIZATION:routes/orders.js': lineOf('routes/orders.js', 'serialize.unserialize(text)'),
      'UNVALIDATED_REDIRECT:routes/account.js': lineOf('routes/account.js', 'res.redirect(req.body.next'),
      'PATH_TRAVERSAL:routes/files.js': lineOf('routes/files.js', 'fs.readFile(path.join(dir, file)'),
      // The relay helper's http.get is the first application frame of the proxy route.
      'SSRF:routes/media.js': lineOf('routes/media.js', 'http.get(url'),
    };
    const all = await until(
      (fs) => Object.keys(expected).every((k) => fs.some((f) => key(f) === k)),
      'every finding',
    );
    // One finding per flaw: nothing beyond the expected (WEAK_HASH has two, the seed data's too).
    assert.deepEqual(all.map(key).sort(), Object.keys(expected).sort());
    for (const [k, line] of Object.entries(expected)) {
      const f = all.find((x) => key(x) === k);
      if (line !== undefined) assert.equal(f.location.line, line, `line of ${k}`);
    }
    const byType = Object.fromEntries(all.map((f) => [f.type, f.evidenceSnippet]));
    assert.equal(byType.WEAK_CIPHER, 'des-ede3-cbc');
    assert.equal(byType.INSECURE_COOKIE, 'session');
    assert.equal(byType.HARDCODED_SECRET, 'stripe-access-token');
    // The secret itself is never part of a finding.
    assert.ok(!JSON.stringify(all).includes('DemoShopNotARealKey'));
    assert.ok(!JSON.stringify(all).includes('Adm1n-Sh0p'));
  });
});

#!/usr/bin/env node
'use strict';
// Traffic driver: calls every flawed endpoint of the demo shop and its safe twin with benign
// input (IAST reports the flow of request data, not an exploit) and checks each answer.
//   node drive.js [http://127.0.0.1:3000] [--only vulnerable|safe]
// Every request carries `X-Forwarded-Proto: https`, as behind a TLS-terminating proxy, so
// that the HSTS check applies.

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const CART = b64(JSON.stringify({ items: [{ id: 2, quantity: 1 }] }));

const has = (text, part) => {
  if (!text.includes(part)) throw new Error(`expected the answer to contain ${JSON.stringify(part)}`);
};
const equal = (actual, expected, what) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};
const header = (res, name, check) => {
  const value = res.headers.get(name);
  if (!check(value)) throw new Error(`unexpected ${name} header: ${JSON.stringify(value)}`);
};
const json = (text) => JSON.parse(text);
const matches = (value, re, what) => {
  if (typeof value !== 'string' || !re.test(value))
    throw new Error(`${what}: ${JSON.stringify(value)} does not match ${re}`);
};

/**
 * Each flaw: the types Sluice reports for it, the request to the flawed endpoint and the
 * request to its safe twin, each with the answer expected.
 */
const CASES = [
  {
    name: 'product search API',
    types: ['SQL_INJECTION'],
    vulnerable: {
      path: '/api/products/search?q=cup',
      status: 200,
      check: (t) => has(json(t)[0].name, 'Espresso cup'),
    },
    safe: {
      path: '/safe/api/products/search?q=cup',
      status: 200,
      check: (t) => has(json(t)[0].name, 'Espresso cup'),
    },
  },
  {
    name: 'search page',
    types: ['XSS', 'HSTS_HEADER_MISSING', 'XCONTENTTYPE_HEADER_MISSING'],
    vulnerable: {
      path: '/search?q=lamp',
      status: 200,
      check: (t, res) => {
        has(t, 'Results for lamp');
        has(t, 'Desk lamp');
        header(res, 'strict-transport-security', (v) => v === null);
        header(res, 'x-content-type-options', (v) => v === null);
      },
    },
    safe: {
      path: '/safe/search?q=lamp',
      status: 200,
      check: (t, res) => {
        has(t, 'Results for lamp');
        header(res, 'strict-transport-security', (v) => /max-age=\d+/.test(v ?? ''));
        header(res, 'x-content-type-options', (v) => v === 'nosniff');
      },
    },
  },
  {
    name: 'product page of an unknown product',
    types: ['STACKTRACE_LEAK'],
    vulnerable: { path: '/products/999', status: 404, check: (t) => has(t, 'catalog.js:') },
    safe: {
      path: '/safe/products/999',
      status: 404,
      check: (t) => equal(json(t), { error: 'product 999 not found' }, 'error body'),
    },
  },
  {
    name: 'login',
    types: [
      'WEAK_HASH',
      'INSECURE_COOKIE',
      'NO_HTTPONLY_COOKIE',
      'NO_SAMESITE_COOKIE',
      'UNVALIDATED_REDIRECT',
    ],
    vulnerable: {
      method: 'POST',
      path: '/login',
      form: { username: 'alice', password: 'wonderland-42', next: '/profile' },
      status: 302,
      check: async (_t, res, call) => {
        header(res, 'location', (v) => v === '/profile');
        const cookie = res.headers.get('set-cookie') ?? '';
        if (!/^session=[\w-]+; Path=\/$/.test(cookie)) throw new Error(`unexpected cookie ${cookie}`);
        const profile = await call('/profile', { cookie: cookie.split(';')[0] });
        has(await profile.text(), 'Alice Martin');
      },
    },
    safe: {
      method: 'POST',
      path: '/safe/login',
      form: { username: 'alice', password: 'wonderland-42', next: '/safe/profile' },
      status: 302,
      check: async (_t, res, call) => {
        header(res, 'location', (v) => v === '/safe/profile');
        const cookie = res.headers.get('set-cookie') ?? '';
        for (const flag of ['Secure', 'HttpOnly', 'SameSite=Strict'])
          if (!cookie.includes(flag)) throw new Error(`cookie without ${flag}: ${cookie}`);
        const profile = await call('/safe/profile', { cookie: cookie.split(';')[0] });
        has(await profile.text(), 'Alice Martin');
      },
    },
  },
  {
    name: 'order export',
    types: ['HEADER_INJECTION'],
    vulnerable: {
      path: '/export/orders?filename=orders-2026',
      status: 200,
      check: (t, res) => {
        header(res, 'content-disposition', (v) => v === 'attachment; filename="orders-2026.csv"');
        has(t, '1001,Coffee grinder,2,49');
      },
    },
    safe: {
      path: '/safe/export/orders?filename=all',
      status: 200,
      check: (t, res) => {
        header(res, 'content-disposition', (v) => v === 'attachment; filename="all-orders.csv"');
        has(t, '1001,Coffee grinder,2,49');
      },
    },
  },
  {
    name: 'order with payment signature',
    types: ['HARDCODED_SECRET', 'HARDCODED_PASSWORD'],
    vulnerable: {
      path: '/orders/1001',
      status: 200,
      check: (t) => matches(json(t).signature, /^[0-9a-f]{64}$/, 'signature'),
    },
    safe: {
      path: '/safe/orders/1001',
      status: 200,
      check: (t) => matches(json(t).signature, /^[0-9a-f]{64}$/, 'signature'),
    },
  },
  {
    name: 'receipt reference',
    types: ['WEAK_CIPHER'],
    vulnerable: {
      path: '/orders/1001/receipt',
      status: 200,
      check: (t) => matches(json(t).receipt, /^[0-9a-f]{16}\.[0-9a-f]{32}$/, 'receipt'),
    },
    safe: {
      path: '/safe/orders/1001/receipt',
      status: 200,
      check: (t) => matches(json(t).receipt, /^[0-9a-f]{24}\.[0-9a-f]{20}\.[0-9a-f]{32}$/, 'receipt'),
    },
  },
  {
    name: 'new coupon',
    types: ['WEAK_RANDOMNESS'],
    vulnerable: {
      path: '/coupons/new',
      status: 200,
      check: (t) => matches(json(t).code, /^[A-Z0-9]{1,8}$/, 'coupon code'),
    },
    safe: {
      path: '/safe/coupons/new',
      status: 200,
      check: (t) => matches(json(t).code, /^[A-F0-9]{12}$/, 'coupon code'),
    },
  },
  {
    name: 'cart restored from its cookie',
    types: ['UNTRUSTED_DESERIALIZATION'],
    vulnerable: {
      path: '/cart',
      headers: { cookie: `cart=${CART}` },
      status: 200,
      check: (t) => equal(json(t), { items: [{ id: 2, quantity: 1 }] }, 'cart'),
    },
    safe: {
      path: '/safe/cart',
      headers: { cookie: `cart=${CART}` },
      status: 200,
      check: (t) => equal(json(t), { items: [{ id: 2, quantity: 1 }] }, 'cart'),
    },
  },
  {
    name: 'invoice download',
    types: ['PATH_TRAVERSAL'],
    vulnerable: {
      path: '/invoices/download?file=invoice-1001.txt',
      status: 200,
      check: (t) => has(t, 'Invoice 1001'),
    },
    safe: { path: '/safe/invoices/1001', status: 200, check: (t) => has(t, 'Invoice 1001') },
  },
  {
    name: 'admin ping',
    types: ['COMMAND_INJECTION'],
    vulnerable: {
      path: '/admin/ping?host=localhost',
      status: 200,
      check: (t) => has(json(t).result, 'localhost is alive'),
    },
    safe: {
      path: '/safe/admin/ping?host=localhost',
      status: 200,
      check: (t) => has(json(t).result, 'localhost is alive'),
    },
  },
  {
    name: 'pricing rule preview',
    types: ['CODE_INJECTION'],
    vulnerable: {
      method: 'POST',
      path: '/admin/pricing/preview',
      json: { formula: 'price * 0.9', price: 50 },
      status: 200,
      check: (t) => equal(json(t).result, 45, 'price'),
    },
    safe: {
      method: 'POST',
      path: '/safe/admin/pricing/preview',
      json: { percent: 10, price: 50 },
      status: 200,
      check: (t) => equal(json(t).result, 45, 'price'),
    },
  },
  {
    name: 'staff directory lookup (no directory server: answers 503 after the query is built)',
    types: ['LDAP_INJECTION'],
    vulnerable: {
      path: '/admin/staff?uid=alice',
      status: 503,
      check: (t) => has(json(t).error, 'directory unavailable'),
    },
    safe: {
      path: '/safe/admin/staff?uid=alice',
      status: 503,
      check: (t) => has(json(t).error, 'directory unavailable'),
    },
  },
  {
    name: 'e-mail template preview',
    types: ['TEMPLATE_INJECTION'],
    vulnerable: {
      method: 'POST',
      path: '/admin/mail/preview',
      json: { template: '<p>Dear <%= customer %>, welcome!</p>' },
      status: 200,
      check: (t) => has(t, 'Dear Alice, welcome!'),
    },
    safe: {
      method: 'POST',
      path: '/safe/admin/mail/preview',
      json: { note: 'See you soon' },
      status: 200,
      check: (t) => has(t, '<p>See you soon</p>'),
    },
  },
  {
    name: 'image proxy',
    types: ['SSRF'],
    vulnerable: {
      path: (base) => `/images/proxy?url=${encodeURIComponent(`${base}/static/logo.svg`)}`,
      status: 200,
      check: (t) => has(t, '<svg'),
    },
    safe: { path: '/safe/images/proxy?name=logo.svg', status: 200, check: (t) => has(t, '<svg') },
  },
];

async function runCase(base, request) {
  const call = (path, headers = {}, init = {}) =>
    fetch(base + path, {
      redirect: 'manual',
      ...init,
      headers: { 'x-forwarded-proto': 'https', ...headers },
    });
  const path = typeof request.path === 'function' ? request.path(base) : request.path;
  const headers = { ...request.headers };
  let body;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  } else if (request.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const method = request.method ?? 'GET';
  const result = { method, path, status: 0, ok: false, error: undefined };
  try {
    const res = await call(path, headers, { method, body });
    result.status = res.status;
    const text = await res.text();
    if (res.status !== request.status)
      throw new Error(`expected status ${request.status}: ${text.slice(0, 200)}`);
    await request.check(text, res, call);
    result.ok = true;
  } catch (err) {
    result.error = err.message;
  }
  return result;
}

/** Drives every case against the shop at `base`; `only` limits it to one side. */
async function drive(base, { only } = {}) {
  const results = [];
  for (const c of CASES)
    for (const side of ['vulnerable', 'safe']) {
      if (only && only !== side) continue;
      results.push({ name: c.name, side, types: c.types, ...(await runCase(base, c[side])) });
    }
  return results;
}

function format(r) {
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.side.padEnd(10)} ${r.method.padEnd(4)} ${r.path.slice(0, 60).padEnd(60)} ${r.status}${r.ok ? '' : `  ${r.error}`}`;
}

module.exports = { CASES, drive, format };

if (require.main === module) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--only');
  const only = i === -1 ? undefined : args.splice(i, 2)[1];
  if (only !== undefined && only !== 'vulnerable' && only !== 'safe') {
    console.error('drive: --only takes vulnerable or safe');
    process.exit(2);
  }
  const base = (args[0] ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  drive(base, { only }).then(
    (results) => {
      for (const r of results) console.log(format(r));
      const failed = results.filter((r) => !r.ok).length;
      console.log(`${results.length - failed}/${results.length} requests answered as expected`);
      process.exitCode = failed ? 1 : 0;
    },
    (err) => {
      console.error(`drive: ${err.message}`);
      process.exitCode = 1;
    },
  );
}

// UNVALIDATED_REDIRECT, HEADER_INJECTION and XSS end to end: express apps (CommonJS on
// express 4 with an http2 server beside it, ES module on express 5) under Sluice answer real
// requests; the findings' locations and evidence are checked, and safe variants are not reported.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { describe, test } from 'node:test';
import { fixesDestination } from '../../src/analyzers/unvalidated-redirect.js';
import { channel, type TemplateRenderMessage } from '../../src/channels.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import { TemplateOutputInstrumentation } from '../../src/instrument/template-output.js';
import { type IastVulnerability, iastOf, lineOf, request } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, type RequestFindings, useSinkApp } from './helpers.js';

const TYPES = ['UNVALIDATED_REDIRECT', 'HEADER_INJECTION', 'XSS'];
const tainted = (value: string) => ({ value, source: 0 });
const text = (value: string) => ({ value });
const query = (name: string, value: string): [string, string, string] => [
  'http.request.parameter',
  name,
  value,
];

/** The library and hooked call each marked line exercises, for the compatibility table. */
const COVERS: Record<string, [string, string]> = {
  '@REDIRECT': ['express', 'res.redirect'],
  '@REDIRECT_HOST': ['express', 'res.redirect'],
  '@LOCATION_SLASH': ['express', 'res.location'],
  '@SET_LOCATION': ['express', 'res.set'],
  '@SETHEADER_LOCATION': ['node:http', 'res.setHeader'],
  '@WRITEHEAD_LOCATION': ['node:http', 'res.writeHead'],
  '@WRITEHEAD_ARRAY': ['node:http', 'res.writeHead'],
  '@HEADER_NAME': ['node:http', 'res.setHeader'],
  '@HEADER_CRLF': ['node:http', 'res.setHeader'],
  '@HEADER_CONTENT_TYPE': ['express', 'res.set'],
  '@HEADER_ACAO': ['express', 'res.header'],
  '@HEADER_WRITEHEAD': ['node:http', 'res.writeHead'],
  '@HEADER_APPEND': ['node:http', 'res.appendHeader'],
  '@HEADER_DISPOSITION': ['node:http', 'res.setHeader'],
  '@XSS_SEND': ['express', 'res.send'],
  '@XSS_WRITE': ['node:http', 'res.write'],
  '@XSS_END': ['node:http', 'res.end'],
  '@XSS_EJS': ['ejs', 'res.render, unescaped output'],
  '@XSS_HANDLEBARS': ['handlebars', 'compile, unescaped output'],
  '@XSS_HANDLEBARS_CREATE': ['handlebars', 'create().compile, unescaped output'],
  '@XSS_PUG': ['pug', 'render, unescaped output'],
  '@H2_LOCATION': ['node:http2', 'res.writeHead'],
  '@H2_XSS': ['node:http2', 'res.end'],
  '@ESM_REDIRECT': ['express', 'res.redirect'],
  '@ESM_SETHEADER_LOCATION': ['node:http', 'res.setHeader'],
  '@ESM_HEADER_NAME': ['node:http', 'res.setHeader'],
  '@ESM_XSS_SEND': ['express', 'res.send'],
  '@ESM_XSS_EJS': ['ejs', 'res.render, unescaped output'],
};

/** Requests `urlPath` over HTTP/2 (cleartext) with `headers`; resolves with the status. */
function h2request(port: number, urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':path': urlPath, ...headers });
    req.on('response', (h) => {
      req.resume();
      req.on('end', () => session.close(() => resolve(Number(h[':status']))));
    });
    req.on('error', reject);
    req.end();
  });
}

function run(file: string, express: string, env: Record<string, string> = {}) {
  const { source, agent, state } = useSinkApp(file, env);

  /** The findings of the span of one request (HTTP/1.1, or HTTP/2 to the second port). */
  const findings = async (
    urlPath: string,
    type: string | undefined,
    options: { headers?: Record<string, string>; http2?: boolean } = {},
  ): Promise<RequestFindings> => {
    const known = new Set(agent.spans);
    let status: number;
    let body = '';
    if (options.http2) {
      const port = Number(/HTTP2=(\d+)/.exec(state.app?.stdout ?? '')?.[1]);
      status = await h2request(port, urlPath, options.headers ?? {});
    } else {
      const res = await request(state.app?.port as number, urlPath, { headers: options.headers });
      status = res.status;
      body = res.body.toString();
    }
    const pathOnly = urlPath.split('?')[0] as string;
    const span = await agent.waitFor(
      (s) => !known.has(s) && s.type === 'web' && (s.meta['http.url'] ?? '').endsWith(pathOnly),
    );
    const iast = iastOf(span);
    return {
      status,
      body,
      sources: iast.sources,
      vulnerabilities: iast.vulnerabilities.filter((v) => type === undefined || v.type === type),
    };
  };

  const check = (
    name: string,
    url: string,
    type: string,
    expected: {
      marker: string;
      status: number;
      valueParts: unknown[];
      source: [string, string, string];
      headers?: Record<string, string>;
      http2?: boolean;
      body?: string;
    },
  ) =>
    test(`${name}: reported`, async () => {
      const found = await findings(url, type, expected);
      assert.equal(found.status, expected.status, found.body);
      if (expected.body !== undefined) assert.equal(found.body, expected.body);
      const [origin, sourceName, value] = expected.source;
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: expected.valueParts,
        sources: [{ origin, name: sourceName, value }],
      });
      const [library, call] = COVERS[expected.marker] ?? [];
      assert.ok(library && call, `no coverage entry for ${expected.marker}`);
      recordCoverage({
        library,
        ...(library === 'express' ? { installedAs: express } : {}),
        type,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call,
      });
    });
  const safe = (
    name: string,
    url: string,
    status: number,
    options: { headers?: Record<string, string> } = {},
  ) =>
    test(`${name}: not reported`, async () => {
      const found = await findings(url, undefined, options);
      assert.equal(found.status, status, found.body);
      assert.deepEqual(
        found.vulnerabilities.filter((v: IastVulnerability) => TYPES.includes(v.type)),
        [],
      );
    });
  return { check, safe, findings };
}

const REDIRECT = 'UNVALIDATED_REDIRECT';
const HEADER = 'HEADER_INJECTION';
const XSS = 'XSS';

describe('response sinks (CommonJS app, express 4 and http2)', () => {
  const { check, safe, findings } = run('response-app.cjs', 'express4');

  check('express res.redirect to a tainted URL', '/redirect?url=https://evil.example/', REDIRECT, {
    marker: '@REDIRECT',
    status: 302,
    valueParts: [tainted('https://evil.example/')],
    source: query('url', 'https://evil.example/'),
  });
  check('express res.redirect(status, url) with a tainted host', '/redirect-host?host=abc', REDIRECT, {
    marker: '@REDIRECT_HOST',
    status: 301,
    valueParts: [text('https://'), tainted('abc'), text('/home')],
    source: query('host', 'abc'),
  });
  check("express res.location of '/' + input (//host possible)", '/location-slash?path=abc', REDIRECT, {
    marker: '@LOCATION_SLASH',
    status: 302,
    valueParts: [text('/'), tainted('abc')],
    source: query('path', 'abc'),
  });
  check('express res.set Location', '/set-location?url=abc', REDIRECT, {
    marker: '@SET_LOCATION',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  check('res.setHeader Location', '/setHeader-location?url=abc', REDIRECT, {
    marker: '@SETHEADER_LOCATION',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  check('res.writeHead with a headers object', '/writeHead-location?url=abc', REDIRECT, {
    marker: '@WRITEHEAD_LOCATION',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  check('res.writeHead with a headers array', '/writeHead-array?url=abc', REDIRECT, {
    marker: '@WRITEHEAD_ARRAY',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  check('http2 res.writeHead Location', '/h2-location', REDIRECT, {
    marker: '@H2_LOCATION',
    status: 302,
    valueParts: [tainted('abc')],
    source: ['http.request.header', 'x-target', 'abc'],
    headers: { 'x-target': 'abc' },
    http2: true,
  });
  safe('redirect after a fixed origin', '/redirect-fixed-origin?path=/evil.example', 302);
  safe('redirect to a path of this site', '/redirect-path?path=//evil.example', 302);
  safe("'/' + encodeURIComponent(input)", '/redirect-encoded?path=//evil.example', 302);
  safe('redirect to a constant', '/redirect-const', 302);
  safe('redirect back to the Referer', '/redirect-referer', 302, {
    headers: { referer: 'https://shop.example/cart' },
  });

  check('a tainted header name', '/header-name?name=abc', HEADER, {
    marker: '@HEADER_NAME',
    status: 200,
    valueParts: [text('X-'), tainted('abc'), text(': on')],
    source: query('name', 'abc'),
  });
  check('a tainted value with CR LF', '/header-crlf?note=a%0D%0ASet-Cookie:%20x=1', HEADER, {
    marker: '@HEADER_CRLF',
    status: 200,
    valueParts: [text('X-Note: '), tainted('a\r\nSet-Cookie: x=1')],
    source: query('note', 'a\r\nSet-Cookie: x=1'),
  });
  check('express res.set Content-Type', '/header-content-type?type=text/html', HEADER, {
    marker: '@HEADER_CONTENT_TYPE',
    status: 200,
    valueParts: [text('Content-Type: '), tainted('text/html')],
    source: query('type', 'text/html'),
  });
  check('express res.header Access-Control-Allow-Origin', '/header-acao?origin=abc', HEADER, {
    marker: '@HEADER_ACAO',
    status: 200,
    valueParts: [text('Access-Control-Allow-Origin: '), tainted('abc')],
    source: query('origin', 'abc'),
  });
  check('res.writeHead Set-Cookie', '/header-set-cookie?theme=abc', HEADER, {
    marker: '@HEADER_WRITEHEAD',
    status: 200,
    valueParts: [text('Set-Cookie: theme='), tainted('abc')],
    source: query('theme', 'abc'),
  });
  check('res.appendHeader Link', '/header-link?url=abc', HEADER, {
    marker: '@HEADER_APPEND',
    status: 200,
    valueParts: [text('Link: <'), tainted('abc'), text('>; rel=preload')],
    source: query('url', 'abc'),
  });
  check('res.setHeader Content-Disposition', '/header-download?name=abc', HEADER, {
    marker: '@HEADER_DISPOSITION',
    status: 200,
    valueParts: [text('Content-Disposition: attachment; filename="'), tainted('abc'), text('.csv"')],
    source: query('name', 'abc'),
  });
  safe('an ordinary header with a CR LF-free value', '/header-ordinary?note=abc', 200);
  safe('a constant header', '/header-const', 200);
  safe('a CORS preflight answer echoing the request headers', '/header-preflight', 200, {
    headers: { origin: 'https://shop.example', 'access-control-request-headers': 'x-token' },
  });
  safe('Set-Cookie built from a request cookie', '/header-cookie-echo', 200, {
    headers: { cookie: 'theme=dark' },
  });
  safe('a header echoing the same request header', '/header-echo', 200, {
    headers: { 'cache-control': 'no-cache' },
  });
  test('the Location header is left to the redirect analyzer', async () => {
    const found = await findings('/setHeader-location?url=abc', undefined);
    assert.deepEqual(
      found.vulnerabilities.map((v) => v.type),
      [REDIRECT],
    );
  });

  check('express res.send of HTML', '/xss-send?name=abc', XSS, {
    marker: '@XSS_SEND',
    status: 200,
    valueParts: [text('<p>Hello '), tainted('abc'), text('</p>')],
    source: query('name', 'abc'),
    body: '<p>Hello abc</p>',
  });
  check('res.write with Content-Type text/html', '/xss-write?name=abc', XSS, {
    marker: '@XSS_WRITE',
    status: 200,
    valueParts: [text('<p>'), tainted('abc'), text('</p>')],
    source: query('name', 'abc'),
  });
  check('res.end after writeHead text/html', '/xss-end?name=abc', XSS, {
    marker: '@XSS_END',
    status: 200,
    valueParts: [text('<p>'), tainted('abc'), text('</p>')],
    source: query('name', 'abc'),
  });
  check('ejs <%- %> through res.render', '/xss-ejs?name=abc', XSS, {
    marker: '@XSS_EJS',
    status: 200,
    valueParts: [tainted('abc')],
    source: query('name', 'abc'),
    body: '<p>Hello abc</p>\n',
  });
  check('handlebars {{{ }}}', '/xss-handlebars?name=abc', XSS, {
    marker: '@XSS_HANDLEBARS',
    status: 200,
    valueParts: [tainted('abc')],
    source: query('name', 'abc'),
    body: '<p>Hello abc</p>',
  });
  check('handlebars {{{ }}} of a Handlebars.create() instance', '/xss-handlebars-instance?name=abc', XSS, {
    marker: '@XSS_HANDLEBARS_CREATE',
    status: 200,
    valueParts: [tainted('abc')],
    source: query('name', 'abc'),
    body: '<p>Hello abc</p>',
  });
  check('pug !=', '/xss-pug?name=abc', XSS, {
    marker: '@XSS_PUG',
    status: 200,
    valueParts: [tainted('abc')],
    source: query('name', 'abc'),
    body: '<p>abc</p>',
  });
  check('http2 res.end of HTML', '/h2-xss', XSS, {
    marker: '@H2_XSS',
    status: 200,
    valueParts: [text('<p>'), tainted('abc'), text('</p>')],
    source: ['http.request.header', 'x-name', 'abc'],
    headers: { 'x-name': 'abc' },
    http2: true,
  });
  safe('escape-html', '/xss-escape-html?name=abc', 200);
  safe('escape-html of markup', '/xss-escape-html?name=%3Cb%3E', 200);
  safe('lodash escape', '/xss-lodash?name=abc', 200);
  safe('he encode and escape', '/xss-he?name=abc', 200);
  safe('validator escape', '/xss-validator?name=abc', 200);
  safe('text/plain', '/xss-text?name=%3Cb%3E', 200);
  safe('res.json', '/xss-json?name=%3Cb%3E', 200);
  safe('a constant page', '/xss-const', 200);
  safe('ejs <%= %>', '/xss-ejs-escaped?name=abc', 200);
  safe('ejs <%= %> of markup', '/xss-ejs-escaped?name=%3Cb%3E', 200);
  safe('handlebars {{ }}', '/xss-handlebars-escaped?name=abc', 200);
  safe('pug =', '/xss-pug-escaped?name=abc', 200);
  safe('pug != of an escape-html result', '/xss-pug-sanitised?name=abc', 200);
  test('ejs client-side templates still inline the escaping function', async () => {
    const found = await findings('/ejs-client', undefined);
    assert.equal(found.status, 200, found.body);
    assert.equal(found.body, '<p>&lt;b&gt;</p>');
  });
});

describe('response sinks (ES module app, express 5)', () => {
  const { check, safe } = run('response-app.mjs', 'express5');
  check('express res.redirect', '/redirect?url=abc', REDIRECT, {
    marker: '@ESM_REDIRECT',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  check('res.setHeader Location', '/setHeader-location?url=abc', REDIRECT, {
    marker: '@ESM_SETHEADER_LOCATION',
    status: 302,
    valueParts: [tainted('abc')],
    source: query('url', 'abc'),
  });
  safe('redirect after a fixed origin', '/redirect-fixed-origin?path=abc', 302);
  check('a tainted header name', '/header-name?name=abc', HEADER, {
    marker: '@ESM_HEADER_NAME',
    status: 200,
    valueParts: [text('X-'), tainted('abc'), text(': on')],
    source: query('name', 'abc'),
  });
  safe('an ordinary header', '/header-ordinary?note=abc', 200);
  check('express res.send of HTML', '/xss-send?name=abc', XSS, {
    marker: '@ESM_XSS_SEND',
    status: 200,
    valueParts: [text('<p>Hello '), tainted('abc'), text('</p>')],
    source: query('name', 'abc'),
  });
  check('ejs <%- %> through res.render', '/xss-ejs?name=abc', XSS, {
    marker: '@ESM_XSS_EJS',
    status: 200,
    valueParts: [tainted('abc')],
    source: query('name', 'abc'),
  });
  safe('he escape (imported)', '/xss-he?name=abc', 200);
  safe('ejs <%= %>', '/xss-ejs-escaped?name=abc', 200);
});

describe('header names the request also sent (fallback engine, taint known by value)', () => {
  const { findings } = run('response-app.cjs', 'express4', { SLUICE_IAST_ENGINE: 'js' });
  test("express's own Content-Type and Content-Length are not the request's header names", async () => {
    const found = await findings('/xss-json?name=abc', undefined, {
      headers: { 'Content-Type': 'text/plain', 'Content-Length': '0' },
    });
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(found.vulnerabilities, []);
  });
});

describe('redirect prefixes that fix the destination', () => {
  test('scheme and host settled, or a place on this site', () => {
    for (const prefix of [
      'https://shop.example/',
      'https://shop.example?',
      'HTTPS://shop.example#',
      'https://shop.example\\',
      '//cdn.example/',
      '/account/',
      '/a',
      ' /a',
      'profile/',
      '?next=',
      '#top',
    ])
      assert.equal(fixesDestination(prefix), true, prefix);
  });
  test('the next characters may name a scheme or a host', () => {
    for (const prefix of [
      '',
      '/',
      '//',
      '/\\',
      '/\t/',
      '\t/',
      'https://',
      'https://shop.example',
      'javascript:',
      'abc',
      'a:b/',
    ])
      assert.equal(fixesDestination(prefix), false, JSON.stringify(prefix));
  });
});

describe('template output hooks', () => {
  test('a render is published while enabled, with the escaping that left strings unchanged', () => {
    const guard = (error: unknown) => assert.fail(`guard called: ${String(error)}`);
    const hooks = new ModuleHooks(guard);
    const templates = new TemplateOutputInstrumentation(hooks, guard);
    const renders: TemplateRenderMessage[] = [];
    const onRender = (m: TemplateRenderMessage) => renders.push(m);
    const ch = channel('sluice:template.render');
    ch.subscribe(onRender);
    try {
      hooks.enable();
      templates.enable();
      const ejs = require('ejs') as { render(t: string, d: object): string };
      const template = '<p><%= a %> <%- b %> <%= c %></p>';
      const render = () => ejs.render(template, { a: 'xyz', b: '<i>', c: '<b>' });
      assert.equal(render(), '<p>xyz <i> &lt;b&gt;</p>');
      assert.equal(renders.length, 1);
      assert.deepEqual(renders[0]?.templates, [template]);
      assert.equal(renders[0]?.output, '<p>xyz <i> &lt;b&gt;</p>');
      assert.deepEqual([...(renders[0]?.unchangedByEscaping ?? [])], [['xyz', 1]]);
      templates.disable();
      assert.equal(render(), '<p>xyz <i> &lt;b&gt;</p>');
      assert.equal(renders.length, 1);
      templates.enable();
      render();
      assert.equal(renders.length, 2);
    } finally {
      templates.disable();
      hooks.disable();
      ch.unsubscribe(onRender);
    }
  });
});

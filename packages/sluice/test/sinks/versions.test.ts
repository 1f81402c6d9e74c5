// The oldest still common versions of the hooked libraries, end to end: express 4.17 apps
// under Sluice load them as npm aliases (pg8-0, mysql2v2, sequelize6-1, sequelize5, knex1,
// knex0-95, better-sqlite3-8, sqlite3-5, ejs2, pug2, handlebars4-0, axios0, undici5, mongoose6 and
// mongoose7 with the mongodb drivers they bring, and got12 from an ES module), run real
// queries on PostgreSQL, MariaDB and SQLite and send real requests. Each library's vulnerable
// route is reported once, at the application's line, with exactly the tainted characters; its
// parameterised, escaped or fixed-host twin is not.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { GotInstrumentation } from '../../src/instrument/got.js';
import { GOT_PATCH_KEY, withHandOver } from '../../src/instrument/got-loader.js';
import { lineOf, type RunningApp, TestAgent } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, SINK_APPS, startSinkApp } from './helpers.js';

const NAME_SOURCE = [{ origin: 'http.request.parameter', name: 'name', value: 'abc' }];
const tainted = (value: string) => ({ value, source: 0 });

interface Case {
  readonly name: string;
  readonly url: string;
  readonly type: string;
  readonly marker: string;
  readonly valueParts: unknown[];
  readonly sources: unknown[];
  /** The library as users import it, the alias it is installed as, and the hooked call. */
  readonly library: string;
  readonly installedAs: string;
  readonly call: string;
  readonly body?: string;
}

/** Starts `file` under Sluice with a target server for its outgoing requests. */
function run(file: string) {
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  const target = http.createServer((_req, res) => res.end('target'));
  const state: { app?: RunningApp; targetPort: number } = { targetPort: 0 };
  before(async () => {
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    state.targetPort = (target.address() as AddressInfo).port;
    state.app = await startSinkApp(file, await agent.start(), { TARGET_PORT: String(state.targetPort) });
  });
  after(async () => {
    assert.equal(await state.app?.stop(), 0, state.app?.stderr);
    await agent.stop();
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
  });

  const vulnerable = (c: Case | (() => Case)) => {
    // A client's case names the target's port, known once the server listens.
    const build = typeof c === 'function' ? c : () => c;
    test(`${build().name}: reported`, async () => {
      const expected = build();
      const found = await findingsOf(agent, state.app?.port as number, expected.url, expected.type);
      assert.equal(found.status, 200, found.body);
      if (expected.body !== undefined) assert.equal(found.body, expected.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: expected.valueParts,
        sources: expected.sources,
      });
      recordCoverage({
        library: expected.library,
        installedAs: expected.installedAs,
        type: expected.type,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: expected.call,
      });
    });
  };
  const safe = (name: string, url: string, body: string, type: string) =>
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url, type);
      assert.equal(found.status, 200, found.body);
      // The request data reached the library, and still no finding.
      assert.equal(found.body, body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  return { vulnerable, safe, state };
}

const SQL = 'SQL_INJECTION';
const TEMPLATE = 'TEMPLATE_INJECTION';
const SSRF = 'SSRF';
const sqlCase = (
  route: string,
  marker: string,
  library: string,
  installedAs: string,
  call: string,
  [head, tail, body]: [string, string, string],
): Case => ({
  name: `${installedAs} ${call}`,
  url: `${route}?name=abc`,
  type: SQL,
  marker,
  valueParts: [{ value: head }, tainted('abc'), { value: tail }],
  sources: NAME_SOURCE,
  library,
  installedAs,
  call,
  body,
});
const SELECT: [string, string, string] = ["SELECT '", "' AS v", '[{"v":"abc"}]'];
const WHERE: [string, string, string] = ["SELECT name FROM users WHERE name = '", "'", '[{"name":"abc"}]'];

/** A tainted host and port for a client whose hook sees a URL string, or separate fields. */
const ssrfCase = (
  port: number,
  client: string,
  marker: string,
  library: string,
  installedAs: string,
  call: string,
  fields: boolean,
): Case => {
  const host = `127.0.0.1:${port}`;
  return {
    name: `${installedAs} ${call}`,
    url: `/ssrf/${client}?host=${host}`,
    type: SSRF,
    marker,
    valueParts: [
      { value: 'http://' },
      ...(fields ? [tainted('127.0.0.1'), { value: ':' }, tainted(String(port))] : [tainted(host)]),
      { value: '/r' },
    ],
    sources: [{ origin: 'http.request.parameter', name: 'host', value: host }],
    library,
    installedAs,
    call,
    body: '200',
  };
};

describe('oldest common library versions (CommonJS app, express 4.17)', () => {
  const { vulnerable, safe, state } = run('versions-app.cjs');

  vulnerable(sqlCase('/pg', '@PG', 'pg', 'pg8-0', 'Client#query', SELECT));
  safe('pg 8.0 parameterised', '/pg/param?name=abc', '[{"v":"abc"}]', SQL);
  vulnerable(sqlCase('/mysql2', '@MYSQL2', 'mysql2', 'mysql2v2', 'Connection#query', SELECT));
  safe('mysql2 2 placeholders', '/mysql2/param?name=abc', '[{"v":"abc"}]', SQL);
  vulnerable(sqlCase('/sequelize6', '@SEQUELIZE6', 'sequelize', 'sequelize6-1', 'Sequelize#query', SELECT));
  safe('sequelize 6.1 replacements', '/sequelize6/replacements?name=abc', '[{"v":"abc"}]', SQL);
  vulnerable(sqlCase('/sequelize5', '@SEQUELIZE5', 'sequelize', 'sequelize5', 'Sequelize#query', SELECT));
  safe('sequelize 5 replacements', '/sequelize5/replacements?name=abc', '[{"v":"abc"}]', SQL);
  // sequelize 5's model queries are not covered (docs/compatibility.md): only 6 is tested here.
  vulnerable({
    name: "sequelize6-1 sequelize.literal in a model query's where",
    url: '/literal/sequelize6?name=abc',
    type: SQL,
    marker: '@SEQ_LITERAL',
    valueParts: [
      {
        value: 'SELECT "id", "name" FROM "sluice_versions_users" AS "sluice_versions_users" WHERE name = \'',
      },
      tainted('abc'),
      { value: "';" },
    ],
    sources: NAME_SOURCE,
    library: 'sequelize',
    installedAs: 'sequelize6-1',
    call: 'sequelize.literal',
    body: '[]',
  });
  safe('sequelize 6.1 a where object', '/literal/sequelize6/where?name=abc', '[]', SQL);
  vulnerable(sqlCase('/knex', '@KNEX', 'knex', 'knex1', 'knex.raw', SELECT));
  safe('knex 1 bindings', '/knex/bindings?name=abc', '[{"v":"abc"}]', SQL);
  vulnerable(sqlCase('/knex095', '@KNEX095', 'knex', 'knex0-95', 'knex.raw', SELECT));
  safe('knex 0.95 bindings', '/knex095/bindings?name=abc', '[{"v":"abc"}]', SQL);
  vulnerable(
    sqlCase(
      '/better-sqlite3',
      '@BETTER_SQLITE3',
      'better-sqlite3',
      'better-sqlite3-8',
      'Database#prepare',
      WHERE,
    ),
  );
  safe('better-sqlite3 8 bound parameter', '/better-sqlite3/param?name=abc', '[{"name":"abc"}]', SQL);
  vulnerable(sqlCase('/sqlite3', '@SQLITE3', 'sqlite3', 'sqlite3-5', 'Database#all', WHERE));
  safe('sqlite3 5 bound parameter', '/sqlite3/param?name=abc', '[{"name":"abc"}]', SQL);

  const template = (
    route: string,
    marker: string,
    library: string,
    installedAs: string,
    call: string,
    head: string,
    body: string,
  ): Case => ({
    name: `${installedAs} ${call}`,
    url: `${route}?name=abc`,
    type: TEMPLATE,
    marker,
    valueParts: [{ value: head }, tainted('abc')],
    sources: NAME_SOURCE,
    library,
    installedAs,
    call,
    body,
  });
  vulnerable(template('/ejs', '@EJS', 'ejs', 'ejs2', 'ejs.render', 'Hello ', 'Hello abc'));
  safe('ejs 2 data', '/ejs/data?name=abc', 'Hello abc', TEMPLATE);
  vulnerable(template('/pug', '@PUG', 'pug', 'pug2', 'pug.compile', 'p Hello ', '<p>Hello abc</p>'));
  safe('pug 2 data', '/pug/data?name=abc', '<p>Hello abc</p>', TEMPLATE);
  vulnerable(
    template(
      '/handlebars',
      '@HANDLEBARS',
      'handlebars',
      'handlebars4-0',
      'Handlebars.compile',
      'Hello ',
      'Hello abc',
    ),
  );
  safe('handlebars 4.0 data', '/handlebars/data?name=abc', 'Hello abc', TEMPLATE);

  const xssCase = (engine: string, marker: string, installedAs: string, call: string): Case => ({
    name: `${installedAs} ${call}`,
    url: `/xss/${engine}?name=abc`,
    type: 'XSS',
    marker,
    valueParts: [tainted('abc')],
    sources: NAME_SOURCE,
    library: engine,
    installedAs,
    call,
    body: '<p>abc</p>',
  });
  vulnerable(xssCase('ejs', '@XSS_EJS', 'ejs2', '<%- %> (render)'));
  safe('ejs 2 <%= %>', '/xss/ejs/escaped?name=abc', '<p>abc</p>', 'XSS');
  vulnerable(xssCase('pug', '@XSS_PUG', 'pug2', '!= (render)'));
  safe('pug 2 =', '/xss/pug/escaped?name=abc', '<p>abc</p>', 'XSS');
  vulnerable(xssCase('handlebars', '@XSS_HANDLEBARS', 'handlebars4-0', '{{{ }}}'));
  safe('handlebars 4.0 {{ }}', '/xss/handlebars/escaped?name=abc', '<p>abc</p>', 'XSS');

  vulnerable(() => ssrfCase(state.targetPort, 'axios', '@AXIOS', 'axios', 'axios0', 'axios.get', true));
  safe('axios 0.27 tainted query value of a fixed host', '/ssrf/axios?q=abc', '200', SSRF);
  vulnerable(() =>
    ssrfCase(state.targetPort, 'undici', '@UNDICI', 'undici', 'undici5', 'undici.request', true),
  );
  safe('undici 5 tainted query value of a fixed host', '/ssrf/undici?q=abc', '200', SSRF);
  vulnerable(() =>
    ssrfCase(state.targetPort, 'undici-fetch', '@UNDICI_FETCH', 'undici', 'undici5', 'undici.fetch', false),
  );
  safe('undici 5 fetch, tainted query value of a fixed host', '/ssrf/undici-fetch?q=abc', '200', SSRF);

  const NOSQL = 'NOSQL_MONGODB_INJECTION';
  const operator = '{"$ne":"abc"}';
  const nosqlCase = (route: string, marker: string, library: string, installedAs: string, call: string) => ({
    name: `${installedAs} ${call}`,
    url: `${route}?user[$ne]=abc`,
    type: NOSQL,
    marker,
    valueParts: [{ value: '{"user":' }, tainted(operator), { value: '}' }],
    sources: [{ origin: 'http.request.parameter', name: 'user', value: operator }],
    library,
    installedAs,
    call,
    body: 'ok',
  });
  for (const [via, mongodb] of [
    ['mongoose6', '4.1'],
    ['mongoose7', '5.1'],
  ] as const) {
    const installedAs = `${via}/node_modules/mongodb`;
    vulnerable(nosqlCase(`/mongodb/${via}`, '@MONGODB', 'mongodb', installedAs, 'Collection.find'));
    safe(`mongodb ${mongodb} String() of the input`, `/mongodb/${via}/string?user=abc`, 'ok', NOSQL);
  }
  for (const version of ['mongoose6', 'mongoose7'] as const) {
    vulnerable(nosqlCase(`/mongoose/${version}`, '@MONGOOSE', 'mongoose', version, 'Model.find'));
    safe(`${version} String() of the input`, `/mongoose/${version}/string?user=abc`, 'ok', NOSQL);
  }

  vulnerable({
    name: 'express 4.17 res.render of a tainted view name',
    url: '/render?view=hello',
    type: 'PATH_TRAVERSAL',
    marker: '@RENDER',
    valueParts: [tainted('hello')],
    sources: [{ origin: 'http.request.parameter', name: 'view', value: 'hello' }],
    library: 'express',
    installedAs: 'express4-17',
    call: 'res.render',
    body: '<p>Hello x</p>',
  });
  safe(
    'express 4.17 res.render of a constant view',
    '/render/const?view=abc',
    '<p>Hello abc</p>',
    'PATH_TRAVERSAL',
  );
});

describe('oldest common library versions (ES module app, express 4.17)', () => {
  const { vulnerable, safe, state } = run('versions-app.mjs');
  vulnerable(() => ssrfCase(state.targetPort, 'got', '@ESM_GOT', 'got', 'got12', 'got()', false));
  safe('got 12 tainted query value of a fixed host', '/ssrf/got?q=abc', '200', SSRF);
});

describe('got found under an alias directory, by its package.json name', () => {
  const REQUEST_MODULE = 'dist/source/core/index.js';
  const source = 'export default class Request {}';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-got-'));
  /** A package directory holding got's request module path, with this package.json. */
  const fakePackage = (dir: string, manifest: object) => {
    const file = path.join(root, 'node_modules', dir, REQUEST_MODULE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules', dir, 'package.json'), JSON.stringify(manifest));
    return pathToFileURL(file).href;
  };
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the load hook hands over the Request class of any package directory, only that module', () => {
    const handsOver = (url: string) =>
      String(withHandOver(url, { format: 'module', source }).source).includes(GOT_PATCH_KEY);
    assert.equal(handsOver('file:///app/node_modules/got12/dist/source/core/index.js'), true);
    assert.equal(handsOver('file:///app/node_modules/got/dist/source/core/index.js'), true);
    assert.equal(handsOver('file:///app/node_modules/got12/dist/source/core/options.js'), false);
    assert.equal(handsOver('file:///app/src/dist/source/core/index.js'), false);
  });

  test('a class handed over is patched when its package is got in range, not another package', () => {
    const gotUrl = fakePackage('got-alias', { name: 'got', version: '12.6.1' });
    const otherUrl = fakePackage('not-got', { name: 'not-got', version: '12.6.1' });
    const oldUrl = fakePackage('got11', { name: 'got', version: '11.8.6' });
    const flush = () => {};
    const requestClass = () => {
      const cls = class Request {};
      Object.assign(cls.prototype, { flush });
      return cls;
    };
    const flushOf = (cls: { prototype: object }) => (cls.prototype as { flush: unknown }).flush;
    const cases: Array<[string, { prototype: object }]> = [
      [gotUrl, requestClass()],
      [otherUrl, requestClass()],
      [oldUrl, requestClass()],
    ];
    const got = new GotInstrumentation((error) => assert.fail(String(error)));
    got.enable();
    try {
      const handOver = (globalThis as Record<symbol, unknown>)[Symbol.for(GOT_PATCH_KEY)] as (
        cls: unknown,
        url: string,
      ) => void;
      for (const [url, cls] of cases) handOver(cls, url);
      assert.deepEqual(
        cases.map(([, cls]) => flushOf(cls) !== flush),
        [true, false, false],
      );
    } finally {
      got.disable();
    }
    assert.deepEqual(
      cases.map(([, cls]) => flushOf(cls)),
      [flush, flush, flush],
    );
  });
});

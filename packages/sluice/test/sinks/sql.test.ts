// SQL_INJECTION end to end: express apps under Sluice run real queries on PostgreSQL, MariaDB
// and SQLite; each vulnerable route is reported once, at the application's line, with exactly
// the tainted characters; parameterised, constant and sanitised queries are not.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { INIT, lineOf, type RunningApp, startApp, TestAgent } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, SINK_APPS, startSinkApp } from './helpers.js';

const NAME_SOURCE = [{ origin: 'http.request.parameter', name: 'name', value: 'abc' }];
const quoted = (before: string, after: string) => [
  { value: before },
  { value: 'abc', source: 0 },
  { value: after },
];

describe('SQL injection (CommonJS app)', () => {
  const file = 'sql-app.cjs';
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startSinkApp(file, await agent.start());
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  // [test name, route, quotes around the tainted value, library, hooked call]
  const vulnerable: Array<[string, string, [string, string], string, string]> = [
    ['pg Client#query', '/pg', ["SELECT '", "' AS v"], 'pg', 'Client#query'],
    [
      'pg-pool Pool#query (once, not again on its client)',
      '/pg-pool',
      ["SELECT '", "' AS v"],
      'pg-pool',
      'Pool#query',
    ],
    ['mysql2 Connection#query', '/mysql2', ["SELECT '", "' AS v"], 'mysql2', 'Connection#query'],
    ['mysql2 Connection#execute', '/mysql2/execute', ["SELECT '", "' AS v"], 'mysql2', 'Connection#execute'],
    [
      'mysql2/promise pool, { sql } object (once)',
      '/mysql2/pool',
      ["SELECT '", "' AS v"],
      'mysql2',
      'promise Pool#query',
    ],
    ['mysql Connection#query', '/mysql', ["SELECT '", "' AS v"], 'mysql', 'Connection#query'],
    [
      'better-sqlite3 Database#prepare',
      '/sqlite',
      ["SELECT name FROM users WHERE name = '", "'"],
      'better-sqlite3',
      'Database#prepare',
    ],
    [
      'better-sqlite3 Database#exec',
      '/sqlite/exec',
      ["INSERT INTO users VALUES ('", "')"],
      'better-sqlite3',
      'Database#exec',
    ],
    [
      'sequelize#query on pg (once, not again in pg)',
      '/sequelize',
      ["SELECT '", "' AS v"],
      'sequelize',
      'Sequelize#query',
    ],
    ['knex.raw', '/knex', ["SELECT '", "' AS v"], 'knex', 'knex.raw'],
    ['knex whereRaw', '/knex/where', ["'", "' = 'abc'"], 'knex', 'whereRaw'],
  ];
  const markers: Record<string, string> = {
    '/pg': '@PG_CLIENT',
    '/pg-pool': '@PG_POOL',
    '/mysql2': '@MYSQL2_QUERY',
    '/mysql2/execute': '@MYSQL2_EXECUTE',
    '/mysql2/pool': '@MYSQL2_POOL',
    '/mysql': '@MYSQL_QUERY',
    '/sqlite': '@SQLITE_PREPARE',
    '/sqlite/exec': '@SQLITE_EXEC',
    '/sequelize': '@SEQUELIZE',
    '/knex': '@KNEX_RAW',
    '/knex/where': '@KNEX_WHERE',
  };
  for (const [name, route, [head, tail], library, call] of vulnerable) {
    test(`${name}: a benign tainted value is reported`, async () => {
      const found = await findingsOf(agent, app.port, `${route}?name=abc`, 'SQL_INJECTION');
      assert.equal(found.status, 200, found.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, markers[route] as string),
        valueParts: quoted(head, tail),
        sources: NAME_SOURCE,
      });
      recordCoverage({ library, type: 'SQL_INJECTION', importer: 'cjs', call });
    });
  }

  const safe: Array<[string, string]> = [
    ['pg: parameterised', '/pg/param?name=abc'],
    ['pg: constant query', '/pg/const'],
    ['pg: pg-format literal', '/pg/format?name=abc'],
    ['pg: Number() of the input', '/pg/number?id=5'],
    ['mysql2: placeholders', '/mysql2/param?name=abc'],
    ['mysql2: escape()', '/mysql2/escape?name=abc'],
    ['mysql2: format()', '/mysql2/format?name=abc'],
    ['mysql: connection.escape()', '/mysql/escape?name=abc'],
    ['better-sqlite3: bound parameter', '/sqlite/param?name=abc'],
    ['sequelize: replacements', '/sequelize/replacements?name=abc'],
    ['knex: bindings', '/knex/bindings?name=abc'],
  ];
  for (const [name, url] of safe) {
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, app.port, url);
      assert.equal(found.status, 200, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  }

  test('an escaped value keeps its taint, marked safe for SQL only', async () => {
    const found = await findingsOf(agent, app.port, '/mysql2/escape-kept?name=abc');
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(
      found.vulnerabilities.map((v) => [v.type, v.location.line]),
      [['PATH_TRAVERSAL', lineOf(source, '@ESCAPE_KEPT')]],
    );
    assert.deepEqual(found.vulnerabilities[0]?.evidence.valueParts, quoted("'", "'"));
  });
});

describe('SQL injection (ES module app, default redaction, no deduplication)', () => {
  const file = 'sql-app.mjs';
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startApp(path.join(SINK_APPS, file), {
      preload: ['--import', INIT],
      cwd: SINK_APPS,
      env: { DD_TRACE_AGENT_URL: await agent.start(), SLUICE_IAST_DEDUPLICATION_ENABLED: 'false' },
    });
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  for (const [route, marker, library, call] of [
    ['/pg', '@ESM_PG', 'pg', 'Client#query'],
    ['/mysql2', '@ESM_MYSQL2', 'mysql2', 'Connection#query'],
    ['/sqlite', '@ESM_SQLITE', 'better-sqlite3', 'Database#prepare'],
  ] as const) {
    test(`${route}: imported driver, the literal and its source are redacted`, async () => {
      const found = await findingsOf(agent, app.port, `${route}?name=abc`, 'SQL_INJECTION');
      assert.equal(found.status, 200, found.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, marker),
        // The whole SQL literal is data: its quotes are redacted along with the tainted text.
        valueParts: [
          { value: 'SELECT ' },
          { redacted: true },
          { redacted: true, source: 0 },
          { redacted: true },
          { value: ' AS v' },
        ],
        sources: [{ origin: 'http.request.parameter', name: 'name', redacted: true, pattern: '***' }],
      });
      recordCoverage({ library, type: 'SQL_INJECTION', importer: 'esm', call });
    });
  }

  test('an attack string is reported like the benign one', async () => {
    const found = await findingsOf(agent, app.port, "/pg?name=x'%7C%7C'y", 'SQL_INJECTION');
    assert.equal(found.body, '[{"v":"xy"}]');
    assert.equal(found.vulnerabilities.length, 1, JSON.stringify(found));
    assert.equal(found.vulnerabilities[0]?.location.line, lineOf(source, '@ESM_PG'));
  });

  test('parameterised: not reported', async () => {
    const found = await findingsOf(agent, app.port, '/pg/param?name=abc');
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(found.vulnerabilities, []);
  });
});

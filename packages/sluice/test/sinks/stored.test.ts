// Stored (second-order) injection end to end: apps under Sluice read rows back from
// PostgreSQL and MariaDB inside a request; the first IAST_DB_ROWS_TO_TAINT rows' string values
// are `sql.row.value` sources, reported when they reach a query or code, not a command or a path.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DbRowsInstrumentation, SQL_ROW_MARKS } from '../../src/instrument/db-rows.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import { isWrapped } from '../../src/instrument/shim.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import { markBit, TAINTED_TYPES } from '../../src/vulnerability-types.js';
import { lineOf, type RunningApp, TestAgent } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, SINK_APPS, startSinkApp } from './helpers.js';

const rowSource = (row: number, value: string) => [{ origin: 'sql.row.value', name: `${row}.name`, value }];
const quoted = (value: string, head = "SELECT '", tail = "' AS v") => [
  { value: head },
  { value, source: 0 },
  { value: tail },
];

describe('stored injection (CommonJS app, default: first row tainted)', () => {
  const file = 'stored-app.cjs';
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

  // [test name, route, marker, library, hooked call delivering the rows]
  const vulnerable: Array<[string, string, string, string, string]> = [
    ['pg Client#query, promise', '/pg', '@PG', 'pg', 'Client#query (rows)'],
    ['pg Client#query, callback', '/pg/callback', '@PG_CALLBACK', 'pg', 'Client#query callback (rows)'],
    ['pg Pool#query, promise', '/pg-pool', '@PG_POOL', 'pg-pool', 'Pool#query (rows)'],
    [
      'pg Client#query, rowMode array (named by field)',
      '/pg/array',
      '@PG_ARRAY',
      'pg',
      'Client#query (array rows)',
    ],
    ['mysql2 Connection#query, callback', '/mysql2', '@MYSQL2', 'mysql2', 'Connection#query (rows)'],
    [
      'mysql2 Connection#execute, callback',
      '/mysql2/execute',
      '@MYSQL2_EXECUTE',
      'mysql2',
      'Connection#execute (rows)',
    ],
    [
      'mysql2/promise Pool#query',
      '/mysql2/promise',
      '@MYSQL2_PROMISE',
      'mysql2',
      'promise Pool#query (rows)',
    ],
    ['sequelize Model.findAll', '/sequelize', '@SEQUELIZE_MODEL', 'sequelize', 'Model.findAll (rows)'],
    ['knex on pg (rows through the driver)', '/knex', '@KNEX', 'knex', 'select (rows)'],
    [
      'sequelize#query, SELECT',
      '/sequelize/query',
      '@SEQUELIZE_QUERY',
      'sequelize',
      'Sequelize#query (rows)',
    ],
  ];
  for (const [name, route, marker, library, call] of vulnerable) {
    test(`${name}: a stored value built into a query is SQL_INJECTION from sql.row.value`, async () => {
      const found = await findingsOf(agent, app.port, route, 'SQL_INJECTION');
      assert.equal(found.status, 200, found.body);
      assert.match(found.body, /"v":"abc"/);
      assertOne(found, {
        path: file,
        line: lineOf(source, marker),
        valueParts: quoted('abc'),
        sources: rowSource(0, 'abc'),
      });
      recordCoverage({ library, type: 'SQL_INJECTION', importer: 'cjs', call });
    });
  }

  test('a stored value built into code is CODE_INJECTION', async () => {
    const found = await findingsOf(agent, app.port, '/pg/code');
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(
      found.vulnerabilities.map((v) => [v.type, v.location.line]),
      [['CODE_INJECTION', lineOf(source, '@PG_CODE')]],
    );
    assert.deepEqual(found.sources, rowSource(0, 'abc'));
    recordCoverage({ library: 'pg', type: 'CODE_INJECTION', importer: 'cjs', call: 'Client#query (rows)' });
  });

  test('a stored value built into a template is TEMPLATE_INJECTION', async () => {
    const found = await findingsOf(agent, app.port, '/pg/template');
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(
      found.vulnerabilities.map((v) => [v.type, v.location.line]),
      [['TEMPLATE_INJECTION', lineOf(source, '@PG_TEMPLATE')]],
    );
    assert.deepEqual(found.sources, rowSource(0, 'abc'));
    recordCoverage({
      library: 'pg',
      type: 'TEMPLATE_INJECTION',
      importer: 'cjs',
      call: 'Client#query (rows)',
    });
  });

  test('a stored value written into HTML is not XSS (stored values count for SQL, code, templates)', async () => {
    const found = await findingsOf(agent, app.port, '/pg/html', 'XSS');
    assert.equal(found.body, '<p>abc</p>');
    assert.deepEqual(found.vulnerabilities, []);
  });

  for (const [name, route] of [
    ['pg: a stored value in a shell command', '/pg/command'],
    ['pg: a stored value in a file path', '/pg/path'],
    ['mysql2: a stored value in a shell command', '/mysql2/command'],
    ['pg: the second row (beyond IAST_DB_ROWS_TO_TAINT=1)', '/pg/second-row'],
  ] as const) {
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, app.port, route);
      assert.equal(found.status, 200, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  }
});

describe('stored injection turned off (IAST_DB_ROWS_TO_TAINT=0)', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startSinkApp('stored-app.cjs', await agent.start(), { DD_IAST_DB_ROWS_TO_TAINT: '0' });
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  for (const route of ['/pg', '/mysql2', '/sequelize', '/pg/code']) {
    test(`${route}: rows are not sources, nothing is reported`, async () => {
      const found = await findingsOf(agent, app.port, route);
      assert.equal(found.status, 200, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  }
});

describe('stored injection (ES module app, IAST_DB_ROWS_TO_TAINT=2)', () => {
  const file = 'stored-app.mjs';
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startSinkApp(file, await agent.start(), { SLUICE_IAST_DB_ROWS_TO_TAINT: '2' });
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  test('pg: the second row is a source when two rows are tainted', async () => {
    const found = await findingsOf(agent, app.port, '/pg/second-row', 'SQL_INJECTION');
    assert.equal(found.status, 200, found.body);
    assertOne(found, {
      path: file,
      line: lineOf(source, '@ESM_PG_SECOND_ROW'),
      valueParts: quoted('def'),
      sources: rowSource(1, 'def'),
    });
    recordCoverage({ library: 'pg', type: 'SQL_INJECTION', importer: 'esm', call: 'Client#query (rows)' });
  });

  test('mysql2/promise: Pool#execute rows reach Pool#query', async () => {
    const found = await findingsOf(agent, app.port, '/mysql2/promise', 'SQL_INJECTION');
    assert.equal(found.status, 200, found.body);
    assertOne(found, {
      path: file,
      line: lineOf(source, '@ESM_MYSQL2'),
      valueParts: quoted('abc'),
      sources: rowSource(0, 'abc'),
    });
    recordCoverage({
      library: 'mysql2',
      type: 'SQL_INJECTION',
      importer: 'esm',
      call: 'promise Pool#execute (rows)',
    });
  });
});

describe('stored injection: the instrumentation', () => {
  test('sql.row.value ranges are born safe for every type but SQL, code and template injection', () => {
    const open = TAINTED_TYPES.filter((t) => (SQL_ROW_MARKS & markBit(t)) === 0);
    assert.deepEqual(open, ['SQL_INJECTION', 'CODE_INJECTION', 'TEMPLATE_INJECTION']);
  });

  test('enable, disable, enable: pg and mysql2 methods wrapped, restored, wrapped again; 0 rows wraps nothing', () => {
    const guard = (error: unknown) => assert.fail(String(error));
    const hooks = new ModuleHooks(guard);
    hooks.enable();
    const engine = createJsEngine();
    const { Client } = require('pg') as { Client: { prototype: Record<string, unknown> } };
    const mysql2 = require('mysql2') as { Connection: { prototype: Record<string, unknown> } };
    const wrapped = () => [
      isWrapped(Client.prototype.query, 'db-rows:query'),
      isWrapped(mysql2.Connection.prototype.execute, 'db-rows:execute'),
    ];
    const off = new DbRowsInstrumentation(
      () => engine,
      { rowsToTaint: 0, inRequest: () => true },
      hooks,
      guard,
    );
    off.enable();
    assert.deepEqual(wrapped(), [false, false]);
    const rows = new DbRowsInstrumentation(
      () => engine,
      { rowsToTaint: 1, inRequest: () => true },
      hooks,
      guard,
    );
    rows.enable();
    assert.deepEqual(wrapped(), [true, true]);
    rows.disable();
    assert.deepEqual(wrapped(), [false, false]);
    rows.enable();
    assert.deepEqual(wrapped(), [true, true]);
    rows.disable();
    hooks.disable();
  });
});

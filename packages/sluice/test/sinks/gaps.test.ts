// biome-ignore-all lint/security/noGlobalEval: the built-in eval is what the runtime is handed and compared with
// Sinks that close earlier gaps, end to end in express apps under Sluice (CommonJS on
// express 4, ES module on express 5): res.render of a tainted view name (PATH_TRAVERSAL, once:
// not again for the files express looks up), sqlite3 queries and statements, indirect eval
// (which keeps evaluating in global scope, while direct eval keeps seeing local bindings),
// sequelize literals inside model queries, and pg-format's %s (while %L and %I are sanitised).
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { ejsInstrumentation } from '../../src/instrument/ejs.js';
import { handlebarsInstrumentation } from '../../src/instrument/handlebars.js';
import type { Instrumentation } from '../../src/instrument/instrumentation.js';
import { pugInstrumentation } from '../../src/instrument/pug.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import { pgFormatted } from '../../src/instrument/sanitizers.js';
import { sqlite3Instrumentation } from '../../src/instrument/sqlite3.js';
import { createPropagationRuntime } from '../../src/propagation/runtime.js';
import { createTainter } from '../../src/propagation/tainter.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import type { Source } from '../../src/taint/types.js';
import { markBit } from '../../src/vulnerability-types.js';
import { lineOf } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, useSinkApp } from './helpers.js';

const tainted = (value: string) => ({ value, source: 0 });
const SQL = 'SQL_INJECTION';
const CODE = 'CODE_INJECTION';
const PATH = 'PATH_TRAVERSAL';
const TYPES = [SQL, CODE, PATH];

interface Vulnerable {
  readonly url: string;
  readonly type: string;
  readonly marker: string;
  readonly valueParts: unknown[];
  /** [origin, name, value] of the one source. */
  readonly source: [string, string, string];
  readonly library: string;
  readonly installedAs?: string;
  readonly call: string;
  readonly body?: string;
}

function run(file: string) {
  const { source, agent, state } = useSinkApp(file);
  const check = (name: string, v: Vulnerable) =>
    test(`${name}: reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, v.url, v.type);
      assert.equal(found.status, 200, found.body);
      if (v.body !== undefined) assert.equal(found.body, v.body);
      const [origin, sourceName, value] = v.source;
      assertOne(found, {
        path: file,
        line: lineOf(source, v.marker),
        valueParts: v.valueParts,
        sources: [{ origin, name: sourceName, value }],
      });
      recordCoverage({
        library: v.library,
        ...(v.installedAs ? { installedAs: v.installedAs } : {}),
        type: v.type,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: v.call,
      });
    });
  const safe = (name: string, url: string, body?: string) =>
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url);
      assert.equal(found.status, 200, found.body);
      if (body !== undefined) assert.equal(found.body, body);
      assert.deepEqual(
        found.vulnerabilities.filter((v) => TYPES.includes(v.type)),
        [],
      );
    });
  return { check, safe };
}

const param = (name: string, value: string): [string, string, string] => [
  'http.request.parameter',
  name,
  value,
];
const WHERE = "SELECT name FROM users WHERE name = '";
const UPDATE = "UPDATE users SET name = name WHERE name = '";

describe('sink gaps (CommonJS app, express 4)', () => {
  const { check, safe } = run('gaps-app.cjs');

  for (const view of ['hello', 'hello.pug'])
    check(`express res.render of a tainted view name ${view} (once, not again in the view lookup)`, {
      url: `/render?view=${view}`,
      type: PATH,
      marker: '@RENDER',
      valueParts: [tainted(view)],
      source: param('view', view),
      library: 'express',
      installedAs: 'express4',
      call: 'res.render',
      body: '<p>Hello x</p>',
    });
  safe('res.render of a constant view with request data', '/render-const?view=abc', '<p>Hello abc</p>');
  safe('res.render of path.basename of the input', '/render-basename?view=hello', '<p>Hello x</p>');

  for (const [route, marker, head, call] of [
    ['all', '@SQLITE3_ALL', WHERE, 'Database#all'],
    ['get', '@SQLITE3_GET', WHERE, 'Database#get'],
    ['run', '@SQLITE3_RUN', UPDATE, 'Database#run'],
    ['each', '@SQLITE3_EACH', WHERE, 'Database#each'],
    ['exec', '@SQLITE3_EXEC', UPDATE, 'Database#exec'],
    ['prepare', '@SQLITE3_PREPARE', WHERE, 'Database#prepare'],
    ['statement', '@SQLITE3_STATEMENT', WHERE, 'new Statement'],
  ] as const)
    check(`sqlite3 ${call} (once)`, {
      url: `/sqlite3/${route}?name=abc`,
      type: SQL,
      marker,
      valueParts: [{ value: head }, tainted('abc'), { value: "'" }],
      source: param('name', 'abc'),
      library: 'sqlite3',
      call,
    });
  safe('sqlite3: bound parameter', '/sqlite3/param?name=abc', '[{"name":"abc"}]');
  safe(
    'sqlite3: prepared statement with a named parameter',
    '/sqlite3/prepare-param?name=abc',
    '[{"name":"abc"}]',
  );

  check('indirect eval (0, eval)(code) runs in global scope', {
    url: '/eval/indirect?code=typeof%20local',
    type: CODE,
    marker: '@EVAL_INDIRECT',
    valueParts: [tainted('typeof local')],
    source: param('code', 'typeof local'),
    library: 'eval',
    call: 'eval (indirect)',
    body: 'undefined',
  });
  check('globalThis.eval(code)', {
    url: '/eval/global?code=2',
    type: CODE,
    marker: '@EVAL_GLOBAL',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: param('code', '2'),
    library: 'eval',
    call: 'globalThis.eval',
    body: '3',
  });
  check('an alias of eval: const run = eval; run(code)', {
    url: '/eval/alias?code=2',
    type: CODE,
    marker: '@EVAL_ALIAS',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: param('code', '2'),
    library: 'eval',
    call: 'eval (alias)',
    body: '3',
  });
  check('direct eval still sees the local scope', {
    url: '/eval/direct?code=typeof%20local',
    type: CODE,
    marker: '@EVAL_DIRECT',
    valueParts: [tainted('typeof local')],
    source: param('code', 'typeof local'),
    library: 'eval',
    call: 'eval (direct)',
    body: 'string',
  });
  safe('indirect eval of a constant', '/eval/indirect-const', '3');
  safe('globalThis.eval of parseInt of the input', '/eval/indirect-number?code=2', '3');
  safe('an object’s own eval method', '/eval/own-method?code=abc', 'not evaluated: abc');

  check('sequelize.literal in a model query’s where', {
    url: '/sequelize/literal?name=abc',
    type: SQL,
    marker: '@SEQ_LITERAL',
    valueParts: [
      { value: 'SELECT "id", "name" FROM "sluice_gaps_users" AS "sluice_gaps_user" WHERE name = \'' },
      tainted('abc'),
      { value: "';" },
    ],
    source: param('name', 'abc'),
    library: 'sequelize',
    call: 'sequelize.literal',
    body: '[]',
  });
  check('Sequelize.literal in a model query’s attributes', {
    url: '/sequelize/static-literal?name=abc',
    type: SQL,
    marker: '@SEQ_STATIC',
    valueParts: [
      { value: "SELECT '" },
      tainted('abc'),
      { value: '\' AS "v" FROM "sluice_gaps_users" AS "sluice_gaps_user";' },
    ],
    source: param('name', 'abc'),
    library: 'sequelize',
    call: 'Sequelize.literal',
    body: '[]',
  });
  safe('sequelize: a where object (values escaped by sequelize)', '/sequelize/where?name=abc', '[]');
  safe('sequelize: a constant literal beside a where object', '/sequelize/const-literal?name=abc', '[]');

  check('pg-format %s', {
    url: '/pg-format/s?name=abc',
    type: SQL,
    marker: '@PGFORMAT_S',
    valueParts: [{ value: "SELECT '" }, tainted('abc'), { value: "' AS v" }],
    source: param('name', 'abc'),
    library: 'pg-format',
    call: 'format %s',
    body: '[{"v":"abc"}]',
  });
  safe('pg-format %L', '/pg-format/L?name=abc', '[{"v":"abc"}]');
  safe('pg-format %I', '/pg-format/I?name=abc', '[{"abc":1}]');
});

describe('sink gaps (ES module app, express 5)', () => {
  const { check, safe } = run('gaps-app.mjs');
  check('express res.render of a tainted view name (once)', {
    url: '/render?view=hello.pug',
    type: PATH,
    marker: '@ESM_RENDER',
    valueParts: [tainted('hello.pug')],
    source: param('view', 'hello.pug'),
    library: 'express',
    installedAs: 'express5',
    call: 'res.render',
    body: '<p>Hello x</p>',
  });
  check('sqlite3 Database#all', {
    url: '/sqlite3/all?name=abc',
    type: SQL,
    marker: '@ESM_SQLITE3',
    valueParts: [{ value: WHERE }, tainted('abc'), { value: "'" }],
    source: param('name', 'abc'),
    library: 'sqlite3',
    call: 'Database#all',
    body: '[{"name":"abc"}]',
  });
  check('indirect eval (0, eval)(code) runs in global scope', {
    url: '/eval/indirect?code=typeof%20local',
    type: CODE,
    marker: '@ESM_EVAL_INDIRECT',
    valueParts: [tainted('typeof local')],
    source: param('code', 'typeof local'),
    library: 'eval',
    call: 'eval (indirect)',
    body: 'undefined',
  });
  check('direct eval still sees the module scope', {
    url: '/eval/direct?code=typeof%20local',
    type: CODE,
    marker: '@ESM_EVAL_DIRECT',
    valueParts: [tainted('typeof local')],
    source: param('code', 'typeof local'),
    library: 'eval',
    call: 'eval (direct)',
    body: 'string',
  });
  check('sequelize.literal in a model query’s where', {
    url: '/sequelize/literal?name=abc',
    type: SQL,
    marker: '@ESM_SEQ_LITERAL',
    valueParts: [
      { value: 'SELECT "id", "name" FROM "sluice_gaps_users" AS "sluice_gaps_user" WHERE name = \'' },
      tainted('abc'),
      { value: "';" },
    ],
    source: param('name', 'abc'),
    library: 'sequelize',
    call: 'sequelize.literal',
    body: '[]',
  });
  check('pg-format withArray %s', {
    url: '/pg-format/s?name=abc',
    type: SQL,
    marker: '@ESM_PGFORMAT_S',
    valueParts: [{ value: "SELECT '" }, tainted('abc'), { value: "' AS v" }],
    source: param('name', 'abc'),
    library: 'pg-format',
    call: 'format.withArray %s',
    body: '[{"v":"abc"}]',
  });
  safe('pg-format withArray %L', '/pg-format/L?name=abc', '[{"v":"abc"}]');
});

describe('indirect eval through the propagation runtime', () => {
  const engine = createJsEngine();
  const reported: string[] = [];
  const runtime = createPropagationRuntime(engine, { onEval: (code) => reported.push(code) });
  const indirect = runtime.evalRef(eval) as (code: unknown) => unknown;
  const source: Source = { origin: 'http.request.parameter', name: 'code', value: 'x' };

  test('the built-in eval becomes an eval-like function; anything else is returned as it is', () => {
    assert.notEqual(indirect, eval);
    assert.equal(runtime.evalRef(indirect), indirect);
    const own = { eval: () => 'own' };
    assert.equal(runtime.evalRef(own.eval), own.eval);
    assert.equal(runtime.evalRef(undefined), undefined);
    assert.equal(indirect.name, 'eval');
    assert.equal(indirect.length, 1);
    assert.equal('prototype' in indirect, false);
    assert.throws(() => Reflect.construct(indirect, ['1']), TypeError);
  });

  test('it evaluates in global scope, sloppy, with the global this, like (0, eval)', () => {
    const local = 'local';
    assert.equal(local, 'local');
    assert.equal(indirect('typeof local'), 'undefined');
    assert.equal(indirect('this'), globalThis);
    // Not strict, although called from strict code: the var becomes a global.
    indirect('var sluiceIndirectEvalProbe = 1');
    assert.equal((globalThis as Record<string, unknown>).sluiceIndirectEvalProbe, 1);
    delete (globalThis as Record<string, unknown>).sluiceIndirectEvalProbe;
    assert.equal(indirect(42), 42, 'a non-string is returned as it is');
    assert.throws(() => indirect('('), SyntaxError);
  });

  test('tainted code is reported, plain code is not; o.eval(...) is reported only for the built-in', () => {
    reported.length = 0;
    engine.runInScope(() => {
      const code = engine.taint('1 + 2', [{ start: 4, end: 5, source, marks: 0 }]);
      assert.equal(indirect(code), 3);
      assert.equal(indirect('2 + 2'), 4);
      assert.equal(runtime.evalMethod(globalThis, code), 3);
      const calculator = { eval: (x: string) => `own ${x}` };
      assert.equal(runtime.evalMethod(calculator, code), 'own 1 + 2');
      assert.throws(() => runtime.evalMethod(undefined, code), TypeError);
    });
    assert.deepEqual(reported, ['1 + 2', '1 + 2']);
  });
});

describe('library instrumentations cycle enable, disable, enable', () => {
  const failOnGuard = (error: unknown) => assert.fail(`guard called: ${String(error)}`);
  const cases: Array<{
    name: string;
    make: (hooks: ModuleHooks) => Instrumentation;
    channel: string;
    target: () => Record<string, unknown>;
    key: string;
    call: () => Promise<void> | void;
  }> = [
    {
      name: 'pug',
      make: (hooks) => pugInstrumentation(hooks, failOnGuard),
      channel: 'sluice:template.compile',
      target: () => require('pug'),
      key: 'compile',
      call: () => assert.equal(require('pug').compile('p a')(), '<p>a</p>'),
    },
    {
      name: 'handlebars',
      make: (hooks) => handlebarsInstrumentation(hooks, failOnGuard),
      channel: 'sluice:template.compile',
      target: () => require('handlebars'),
      key: 'compile',
      call: () => assert.equal(require('handlebars').compile('a')(), 'a'),
    },
    {
      name: 'ejs',
      make: (hooks) => ejsInstrumentation(hooks, failOnGuard),
      channel: 'sluice:template.compile',
      target: () => require('ejs'),
      key: 'compile',
      call: () => assert.equal(require('ejs').compile('a')(), 'a'),
    },
    {
      name: 'sqlite3',
      make: (hooks) => sqlite3Instrumentation(hooks, failOnGuard),
      channel: 'sluice:sql.query',
      target: () => require('sqlite3').Database.prototype,
      key: 'all',
      call: () =>
        new Promise<void>((resolve, reject) => {
          const db = new (require('sqlite3').Database)(':memory:');
          db.all('SELECT 1 AS v', (err: Error | null, rows: unknown) => {
            db.close();
            if (err) reject(err);
            else resolve(assert.deepEqual(rows, [{ v: 1 }]));
          });
        }),
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const original = c.target()[c.key];
      const seen: unknown[] = [];
      const listener = (m: unknown) => seen.push(m);
      diagnosticsChannel.subscribe(c.channel, listener);
      const hooks = new ModuleHooks(failOnGuard);
      hooks.enable();
      try {
        const inst = c.make(hooks);
        inst.enable();
        await c.call();
        assert.equal(seen.length, 1);
        inst.disable();
        assert.equal(c.target()[c.key], original);
        await c.call();
        assert.equal(seen.length, 1);
        inst.enable();
        inst.enable();
        await c.call();
        assert.equal(seen.length, 2, 'enabled twice still publishes once');
        inst.disable();
        assert.equal(c.target()[c.key], original);
      } finally {
        hooks.disable();
        diagnosticsChannel.unsubscribe(c.channel, listener);
      }
    });
  }
});

describe('pg-format placeholders', () => {
  const engine = createJsEngine();
  const t = createTainter(engine);
  const source: Source = { origin: 'http.request.parameter', name: 'name', value: 'x' };
  const sqlMark = markBit('SQL_INJECTION');
  const taint = (text: string) => engine.taint(text, [{ start: 0, end: text.length, source, marks: 0 }]);
  /** [text, sanitised for SQL] of each tainted range of `value`. */
  const parts = (value: unknown) =>
    (t.ranges(value) ?? []).map((r) => [(value as string).slice(r.start, r.end), (r.marks & sqlMark) !== 0]);

  test('%L and %I values are marked safe, %s values are not, positions and %% followed', () => {
    engine.runInScope(() => {
      const a = taint('abc');
      const b = taint('def');
      // What format('%2$s %1$L %% %I', a, b) returns for these values.
      const result = "def 'abc' % def";
      assert.deepEqual(parts(pgFormatted(t, result, '%2$s %1$L %% %I', [a, b])), [
        ['def', false],
        ['abc', true],
        ['def', true],
      ]);
      assert.deepEqual(parts(pgFormatted(t, "SELECT 'abc'", "SELECT '%s'", [a])), [['abc', false]]);
      assert.deepEqual(parts(pgFormatted(t, "SELECT 'abc'", 'SELECT %L', [a])), [['abc', true]]);
    });
  });

  test('a tainted template stays unsanitised; untainted input gives the result as it is', () => {
    engine.runInScope(() => {
      const template = taint('SELECT %L');
      const result = "SELECT 'v'";
      assert.deepEqual(parts(pgFormatted(t, result, template, ['v'])), [['SELECT ', false]]);
    });
    // A scope of its own: the fallback engine knows taint by text, and this text is the same.
    engine.runInScope(() => {
      assert.equal(t.ranges(pgFormatted(t, "SELECT 'v'", 'SELECT %L', ['v'])), undefined);
    });
  });
});

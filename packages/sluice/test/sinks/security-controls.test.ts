// Security controls end to end: apps under Sluice with DD_IAST_SECURITY_CONTROLS_CONFIGURATION
// naming the application's own sanitizers and validators (CommonJS and ES modules), the
// built-in validator.js validators, and numbers made from request data. A flow through a
// control is not reported for the control's types; the same flow without it is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installSecurityControls } from '../../src/security-controls/install.js';
import { parseSecurityControls } from '../../src/security-controls/parse.js';
import { controlWrapper } from '../../src/security-controls/wrap.js';
import { createEngine } from '../../src/taint/engine.js';
import type { TaintEngine } from '../../src/taint/types.js';
import { ALL_MARKS, marksFor } from '../../src/vulnerability-types.js';
import { INIT, lineOf, type RunningApp, startApp, TestAgent } from '../e2e/helpers.js';
import { assertOne, findingsOf, SINK_APPS } from './helpers.js';

const CJS_CONTROLS = [
  'SANITIZER:COMMAND_INJECTION:controls/custom.cjs:sanitizeName',
  'INPUT_VALIDATOR:*:controls/custom.cjs:isSafeName',
  'INPUT_VALIDATOR:COMMAND_INJECTION:controls/custom.cjs:checkSecond:1',
  'SANITIZER:COMMAND_INJECTION,SQL_INJECTION:controls/custom.cjs:utils.escapeShell',
  'SANITIZER:COMMAND_INJECTION:controls/only.cjs',
].join(';');

const ESM_CONTROLS = [
  'SANITIZER:COMMAND_INJECTION:controls/custom.mjs:sanitizeName',
  'INPUT_VALIDATOR:*:controls/custom.mjs:isSafeName',
  'SANITIZER:COMMAND_INJECTION:controls/custom.mjs:utils.escapeShell',
  'SANITIZER:COMMAND_INJECTION:controls/custom.mjs',
  'INPUT_VALIDATOR:COMMAND_INJECTION:controls/custom.cjs:checkSecond:1',
].join(';');

const param = (name: string, value: string) => [{ origin: 'http.request.parameter', name, value }];

async function startControlsApp(file: string, agentUrl: string, controls: string) {
  return startApp(path.join(SINK_APPS, file), {
    ...(file.endsWith('.mjs') ? { preload: ['--import', INIT] } : {}),
    cwd: SINK_APPS,
    env: {
      DD_TRACE_AGENT_URL: agentUrl,
      SLUICE_IAST_REDACTION_ENABLED: 'false',
      SLUICE_IAST_DEDUPLICATION_ENABLED: 'false',
      DD_IAST_SECURITY_CONTROLS_CONFIGURATION: controls,
    },
  });
}

describe('security controls (CommonJS app)', () => {
  const file = 'controls-app.cjs';
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startControlsApp(file, await agent.start(), CJS_CONTROLS);
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  test('without a control the flow is COMMAND_INJECTION', async () => {
    const found = await findingsOf(agent, app.port, '/raw?name=abc', 'COMMAND_INJECTION');
    assertOne(found, {
      path: file,
      line: lineOf(source, '@RAW'),
      valueParts: [{ value: 'echo ' }, { value: 'abc', source: 0 }],
      sources: param('name', 'abc'),
    });
  });

  for (const [name, url] of [
    ['a declared sanitizer (exported function)', '/sanitized?name=abc'],
    ['a declared sanitizer at a dotted export path', '/nested?name=abc'],
    ['a declared sanitizer that is the module itself', '/module?name=abc'],
    ['a declared input validator (all types, all arguments)', '/validated?name=abc'],
    ['parseInt of the input', '/parseint?id=5'],
    ['Number of the input', '/number?id=5'],
    ['validator.isInt returned true', '/validator/int?id=42'],
    ['validator.isUUID returned true', '/validator/uuid?id=0b5e6a3c-3f1e-4c5e-9a0b-1c2d3e4f5a6b'],
  ] as const) {
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, app.port, url);
      assert.equal(found.status, 200, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  }

  test('a sanitizer declared for commands leaves PATH_TRAVERSAL reported', async () => {
    const found = await findingsOf(agent, app.port, '/sanitized/path?name=abc');
    assert.deepEqual(
      found.vulnerabilities.map((v) => [v.type, v.location.line]),
      [['PATH_TRAVERSAL', lineOf(source, '@SANITIZED_PATH')]],
    );
  });

  test('a validator of argument 1 only: argument 0 is still reported', async () => {
    const found = await findingsOf(agent, app.port, '/validated/second?a=x&b=y', 'COMMAND_INJECTION');
    assertOne(found, {
      path: file,
      line: lineOf(source, '@SECOND'),
      valueParts: [{ value: 'echo ' }, { value: 'x', source: 0 }, { value: ' y' }],
      sources: param('a', 'x'),
    });
  });

  test('validator.isInt returning false marks nothing: the ignored check is reported', async () => {
    const found = await findingsOf(agent, app.port, '/validator/ignored?id=abc', 'COMMAND_INJECTION');
    assert.equal(found.vulnerabilities.length, 1, JSON.stringify(found));
    assert.equal(found.vulnerabilities[0]?.location.line, lineOf(source, '@VALIDATOR_IGNORED'));
  });

  test('validator.isEmail is no sanitiser', async () => {
    const found = await findingsOf(
      agent,
      app.port,
      '/validator/email?email=a%40example.com',
      'COMMAND_INJECTION',
    );
    assert.equal(found.vulnerabilities.length, 1, JSON.stringify(found));
    assert.equal(found.vulnerabilities[0]?.location.line, lineOf(source, '@EMAIL'));
  });

  test('no warning for well-formed entries', () => {
    assert.doesNotMatch(app.stderr, /SECURITY_CONTROLS_CONFIGURATION/);
  });
});

describe('security controls (ES module app)', () => {
  const file = 'controls-app.mjs';
  const source = path.join(SINK_APPS, file);
  const agent = new TestAgent();
  let app: RunningApp;
  before(async () => {
    app = await startControlsApp(file, await agent.start(), ESM_CONTROLS);
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  test('without a control the flow is COMMAND_INJECTION (uncontrolled exports still work)', async () => {
    const found = await findingsOf(agent, app.port, '/raw?name=abc', 'COMMAND_INJECTION');
    assert.equal(found.body, '"abc 13"');
    assertOne(found, {
      path: file,
      line: lineOf(source, '@ESM_RAW'),
      valueParts: [{ value: 'echo ' }, { value: 'abc', source: 0 }, { value: ' 13' }],
      sources: param('name', 'abc'),
    });
  });

  for (const [name, url] of [
    ['a declared sanitizer (named export)', '/sanitized?name=abc'],
    ['a declared sanitizer (default export)', '/default?name=abc'],
    ['a declared sanitizer at a dotted export path', '/nested?name=abc'],
    ['a declared input validator', '/validated?name=abc'],
  ] as const) {
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, app.port, url);
      assert.equal(found.status, 200, found.body);
      assert.equal(found.body, '"abc"');
      assert.deepEqual(found.vulnerabilities, []);
    });
  }

  test('a CommonJS validator imported from an ES module: argument 0 is still reported', async () => {
    const found = await findingsOf(agent, app.port, '/validated/second?a=x&b=y', 'COMMAND_INJECTION');
    assertOne(found, {
      path: file,
      line: lineOf(source, '@ESM_SECOND'),
      valueParts: [{ value: 'echo ' }, { value: 'x', source: 0 }, { value: ' y' }],
      sources: param('a', 'x'),
    });
  });
});

describe('security controls: malformed entries beside good ones', () => {
  const file = 'controls-app.cjs';
  const agent = new TestAgent();
  let app: RunningApp;
  const unknownType = 'SANITIZER:NOT_A_TYPE:controls/custom.cjs:sanitizeName';
  const missingFunction = 'SANITIZER:COMMAND_INJECTION:controls/custom.cjs:noSuchFunction';
  before(async () => {
    const controls = [
      unknownType,
      missingFunction,
      'INPUT_VALIDATOR:*:controls/custom.cjs:isSafeName',
      // A package named by its name: validator's entry file.
      'INPUT_VALIDATOR:COMMAND_INJECTION:validator:isEmail',
    ].join(';');
    app = await startControlsApp(file, await agent.start(), controls);
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  test('each bad entry is named in one warning, and ignored', async () => {
    // Requests that load nothing new: the warnings were all given at start-up and module load.
    await findingsOf(agent, app.port, '/sanitized?name=abc');
    await findingsOf(agent, app.port, '/sanitized?name=abc');
    const count = (s: string) => app.stderr.split(s).length - 1;
    assert.equal(count(`"${unknownType}"`), 1, app.stderr);
    assert.equal(count(`"${missingFunction}"`), 1, app.stderr);
    assert.equal(count('isSafeName'), 0, app.stderr);
  });

  test('the ignored sanitizer does not hide the flow; the good validator still applies', async () => {
    const sanitized = await findingsOf(agent, app.port, '/sanitized?name=abc', 'COMMAND_INJECTION');
    assert.equal(sanitized.status, 200, sanitized.body);
    assert.equal(sanitized.vulnerabilities.length, 1, JSON.stringify(sanitized));
    const validated = await findingsOf(agent, app.port, '/validated?name=abc');
    assert.equal(validated.status, 200, validated.body);
    assert.deepEqual(validated.vulnerabilities, []);
  });

  test('a control on a package function (validator isEmail declared an input validator)', async () => {
    const found = await findingsOf(agent, app.port, '/validator/email?email=a%40example.com');
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(found.vulnerabilities, []);
  });
});

describe('security controls: an entry that is not TYPE:TYPES:MODULE[...]', () => {
  const agent = new TestAgent();
  let app: RunningApp;
  const broken = 'SANITIZER:COMMAND_INJECTION';
  before(async () => {
    app = await startControlsApp('controls-app.cjs', await agent.start(), broken);
  });
  after(async () => {
    assert.equal(await app.stop(), 0, app.stderr);
    await agent.stop();
  });

  test('warns once naming it; the application runs and flows are reported as without controls', async () => {
    const found = await findingsOf(agent, app.port, '/sanitized?name=abc', 'COMMAND_INJECTION');
    assert.equal(found.status, 200, found.body);
    assert.equal(found.body, '"abc"');
    assert.equal(found.vulnerabilities.length, 1, JSON.stringify(found));
    assert.equal(app.stderr.split(`"${broken}"`).length - 1, 1, app.stderr);
  });
});

describe('security controls: parsing DD_IAST_SECURITY_CONTROLS_CONFIGURATION', () => {
  const parse = (raw: string) => {
    const warnings: string[] = [];
    return { controls: parseSecurityControls(raw, (m) => warnings.push(m)), warnings };
  };

  test("Datadog's fields: types, module, dotted function, positions; case, spaces and line breaks forgiven", () => {
    const { controls, warnings } = parse(
      ' sanitizer : SQL_INJECTION, XSS : lib/s.js : utils.escape ;\n\tINPUT_VALIDATOR:*:my-lib:check:0, 2;;',
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      controls.map((c) => [c.kind, c.marks, c.module, c.method, c.parameters]),
      [
        ['SANITIZER', marksFor(['SQL_INJECTION', 'XSS']), 'lib/s.js', 'utils.escape', undefined],
        ['INPUT_VALIDATOR', ALL_MARKS, 'my-lib', 'check', [0, 2]],
      ],
    );
  });

  test('no function: the module itself; no or * positions: every argument', () => {
    const { controls } = parse(
      'SANITIZER:XSS:lib/only.js;INPUT_VALIDATOR:XSS:lib/v.js:ok;INPUT_VALIDATOR:XSS:lib/v.js:ok:*',
    );
    assert.deepEqual(
      controls.map((c) => [c.method, c.parameters]),
      [
        ['', undefined],
        ['ok', undefined],
        ['ok', undefined],
      ],
    );
  });

  test('each malformed entry warns once, naming it, and is ignored; the others apply', () => {
    const bad = [
      'SANITIZER:XSS',
      'SANITIZER:XSS:a.js:f:0:extra',
      'CLEANER:XSS:a.js:f',
      'SANITIZER:NOT_A_TYPE:a.js:f',
      'INPUT_VALIDATOR:XSS:a.js:f:one',
      'SANITIZER:XSS:a.js:f..g',
    ];
    const { controls, warnings } = parse([...bad, 'SANITIZER:XSS:good.js:f'].join(';'));
    assert.deepEqual(
      controls.map((c) => c.module),
      ['good.js'],
    );
    assert.equal(warnings.length, bad.length, warnings.join('\n'));
    for (const [i, entry] of bad.entries()) assert.ok(warnings[i]?.includes(`"${entry}"`), warnings[i]);
  });

  test('unknown names in a list of types are left out with a warning; the entry stays', () => {
    const { controls, warnings } = parse('SANITIZER:XSS,NOT_A_TYPE:a.js:f');
    assert.equal(controls[0]?.marks, marksFor(['XSS']));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /NOT_A_TYPE/);
  });
});

describe('security controls: the wrapper', () => {
  const engines: TaintEngine[] = [createEngine('js', { warn() {}, debug() {} })];
  const native = createEngine('auto', { warn() {}, debug() {} });
  if (native.kind === 'native') engines.push(native);
  const source = { origin: 'http.request.parameter' as const, name: 'q', value: 'abc' };
  const failOnGuard = (error: unknown) => assert.fail(String(error));
  const sqlAndXss = marksFor(['SQL_INJECTION', 'XSS']);

  for (const engine of engines) {
    const tainted = () => engine.taint('abc', [{ start: 0, end: 3, source, marks: 0 }]);
    const marksOf = (v: unknown) => engine.getRanges(v)?.map((r) => r.marks);

    test(`${engine.kind} engine: a sanitizer marks its result, sync, async and inside objects`, async () => {
      await engine.runInScope(async () => {
        const wrap = controlWrapper(
          { kind: 'SANITIZER', marks: sqlAndXss, parameters: undefined },
          () => engine,
          failOnGuard,
        );
        const same = wrap((v: unknown) => v);
        assert.deepEqual(marksOf(same(tainted())), [sqlAndXss]);
        const later = wrap(async (v: unknown) => v);
        assert.deepEqual(marksOf(await later(tainted())), [sqlAndXss]);
        const boxed = wrap((v: unknown) => ({ deep: [v] }))(tainted()) as { deep: string[] };
        assert.deepEqual(marksOf(boxed.deep[0]), [sqlAndXss]);
      });
    });

    test(`${engine.kind} engine: an input validator marks the listed arguments where they are`, () => {
      engine.runInScope(() => {
        const wrap = controlWrapper(
          { kind: 'INPUT_VALIDATOR', marks: sqlAndXss, parameters: [1] },
          () => engine,
          failOnGuard,
        );
        const validate = wrap((_a: unknown, _b: unknown) => false);
        const first = tainted();
        const second = engine.taint('xyz', [{ start: 0, end: 3, source, marks: 0 }]);
        assert.equal(validate(first, second), false);
        assert.deepEqual(marksOf(second), [sqlAndXss]);
        if (engine.kind === 'native') assert.deepEqual(marksOf(first), [0]);
      });
    });
  }
});

describe('security controls: install, uninstall, install', () => {
  test('a CommonJS sanitizer marks while installed and passes through once uninstalled', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-controls-'));
    try {
      fs.writeFileSync(path.join(dir, 'clean.cjs'), 'exports.tools = { clean: (v) => v };\n');
      const engine = createEngine('js', { warn() {}, debug() {} });
      const warnings: string[] = [];
      const install = () =>
        installSecurityControls('SANITIZER:XSS:clean.cjs:tools.clean', {
          cwd: dir,
          engine: () => engine,
          log: { warn: (m) => warnings.push(m), debug() {} },
          guard: (error) => assert.fail(String(error)),
          esm: false,
        });
      const source = { origin: 'http.request.parameter' as const, name: 'q', value: 'abc' };
      engine.runInScope(() => {
        const marksAfterClean = (): number | undefined => {
          const { tools } = require(path.join(dir, 'clean.cjs')) as { tools: { clean(v: string): string } };
          const value = engine.taint('abc', [{ start: 0, end: 3, source, marks: 0 }]);
          return engine.getRanges(tools.clean(value))?.[0]?.marks;
        };
        const uninstall = install();
        assert.equal(marksAfterClean(), marksFor(['XSS']));
        uninstall();
        assert.equal(marksAfterClean(), 0);
        const again = install();
        assert.equal(marksAfterClean(), marksFor(['XSS']));
        again();
      });
      assert.deepEqual(warnings, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

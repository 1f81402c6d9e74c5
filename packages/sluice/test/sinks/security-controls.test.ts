// Security controls end to end: apps under Sluice with DD_IAST_SECURITY_CONTROLS_CONFIGURATION
// naming the application's own sanitizers and validators (CommonJS and ES modules), the
// built-in validator.js validators, and numbers made from request data. A flow through a
// control is not reported for the control's types; the same flow without it is.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
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

describe('security controls: malformed entries', () => {
  const file = 'controls-app.cjs';
  const agent = new TestAgent();
  let app: RunningApp;
  const unknownType = 'SANITIZER:NOT_A_TYPE:controls/custom.cjs:sanitizeName';
  const missingFunction = 'SANITIZER:COMMAND_INJECTION:controls/custom.cjs:noSuchFunction';
  before(async () => {
    const controls = [unknownType, missingFunction, 'INPUT_VALIDATOR:*:controls/custom.cjs:isSafeName'].join(
      ';',
    );
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../../src/config.js';

function read(env: Record<string, string>) {
  const warnings: string[] = [];
  const config = readConfig(env, (m) => warnings.push(m), '/nonexistent-dir');
  return { config, warnings };
}

test('defaults when nothing is set', () => {
  const { config, warnings } = read({});
  assert.deepEqual(warnings, []);
  assert.equal(config.iast.enabled, false);
  assert.equal(config.iast.requestSampling, 100);
  assert.equal(config.iast.deduplicationEnabled, true);
  assert.equal(config.iast.redactionEnabled, true);
  assert.equal(config.agentUrl, 'http://127.0.0.1:8126');
  assert.equal(config.service, 'node');
  assert.equal(config.engine, 'auto');
  assert.equal(config.logLevel, 'warn');
  assert.deepEqual(config.rewriter.exclude, ['**/node_modules/**']);
});

test('DD_ names are honoured and SLUICE_ names win', () => {
  const { config, warnings } = read({
    DD_IAST_ENABLED: 'true',
    DD_IAST_REQUEST_SAMPLING: '30',
    SLUICE_IAST_REQUEST_SAMPLING: '50',
    DD_SERVICE: 'dd-name',
    SLUICE_SERVICE: 'sluice-name',
    DD_ENV: 'prod',
    DD_AGENT_HOST: 'agent.local',
    DD_TRACE_AGENT_PORT: '9000',
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.iast.enabled, true);
  assert.equal(config.iast.requestSampling, 50);
  assert.equal(config.service, 'sluice-name');
  assert.equal(config.env, 'prod');
  assert.equal(config.agentUrl, 'http://agent.local:9000');
});

test('TRACE_AGENT_URL overrides host and port', () => {
  const { config } = read({ DD_TRACE_AGENT_URL: 'http://x:1/', DD_AGENT_HOST: 'y' });
  assert.equal(config.agentUrl, 'http://x:1');
});

test('a bad value gives one warning naming the variable and the default', () => {
  const { config, warnings } = read({
    SLUICE_IAST_REQUEST_SAMPLING: '150',
    DD_IAST_ENABLED: 'maybe',
    SLUICE_IAST_ENGINE: 'rust',
    DD_IAST_REDACTION_NAME_PATTERN: '(',
    DD_TRACE_AGENT_URL: 'ftp://x',
  });
  assert.equal(config.iast.requestSampling, 100);
  assert.equal(config.iast.enabled, false);
  assert.equal(config.engine, 'auto');
  assert.equal(config.agentUrl, 'http://127.0.0.1:8126');
  assert.equal(warnings.length, 5);
  for (const name of [
    'SLUICE_IAST_REQUEST_SAMPLING="150"',
    'DD_IAST_ENABLED="maybe"',
    'SLUICE_IAST_ENGINE="rust"',
    'DD_IAST_REDACTION_NAME_PATTERN="("',
    'DD_TRACE_AGENT_URL="ftp://x"',
  ]) {
    assert.ok(
      warnings.some((w) => w.includes(name) && w.includes('default')),
      `${name} in ${warnings.join('\n')}`,
    );
  }
  assert.ok(config.iast.redactionNamePattern.test('password'));
});

test('the config is frozen deeply', () => {
  const { config } = read({});
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.iast));
  assert.ok(Object.isFrozen(config.rewriter.exclude));
});

test('security controls are passed on whole: their entries are checked one by one at install', () => {
  const value = 'nonsense;SANITIZER:XSS:a.js:clean';
  const { config, warnings } = read({ DD_IAST_SECURITY_CONTROLS_CONFIGURATION: value });
  assert.deepEqual(warnings, []);
  assert.equal(config.iast.securityControlsConfiguration, value);
});

test('security controls in the Datadog format are accepted', () => {
  const value =
    'SANITIZER:COMMAND_INJECTION:bar/foo/sanitizer.js:sanitize;INPUT_VALIDATOR:*:bar/foo/validator.js:validate:1,2';
  const { config, warnings } = read({ DD_IAST_SECURITY_CONTROLS_CONFIGURATION: value });
  assert.deepEqual(warnings, []);
  assert.equal(config.iast.securityControlsConfiguration, value);
});

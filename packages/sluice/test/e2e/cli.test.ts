// `sluice run -- <command>`: the agent preloaded, IAST on, a summary at exit, exit code kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runEnvironment } from '../../src/cli/sluice.js';
import { APPS, iastOf, PACKAGE_DIR, TestAgent } from './helpers.js';

const CLI = path.join(PACKAGE_DIR, 'dist/src/cli/sluice.js');

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: APPS,
    env: { ...process.env, NODE_OPTIONS: '', SLUICE_IAST_ENABLED: '', DD_IAST_ENABLED: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

test('sluice run: findings exported, JSON Lines written, summary table printed, exit 0', async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-')), 'iast.jsonl');
  try {
    const result = await run(['run', '--', process.execPath, 'oneshot-app.cjs'], {
      DD_TRACE_AGENT_URL: url,
      SLUICE_IAST_REPORT_FILE: file,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /BODY=/);
    assert.match(result.stderr, /sluice: 1 finding\n/);
    assert.match(result.stderr, /medium\s+WEAK_HASH\s+oneshot-app\.cjs:6\s+1/);
    const span = await agent.waitForRequest('/oneshot', 5000);
    assert.equal(iastOf(span).vulnerabilities[0]?.type, 'WEAK_HASH');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const fromFile = lines.find((l) => l.meta['http.url']?.endsWith('/oneshot'));
    assert.equal(JSON.parse(fromFile.meta['_dd.iast.json']).vulnerabilities[0].type, 'WEAK_HASH');
    assert.equal(fromFile.span_id, String(span.span_id));
  } finally {
    await agent.stop();
  }
});

test('sluice run: the exit code passes through; bad usage exits 2', async () => {
  const exit3 = await run(['run', process.execPath, '-e', 'process.exitCode = 3'], {
    DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
  });
  assert.equal(exit3.code, 3);
  const usage = await run([]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Usage: sluice run/);
  const missing = await run(['run', '--']);
  assert.equal(missing.code, 2);
});

test('sluice run: environment keeps NODE_OPTIONS and an explicit IAST_ENABLED', () => {
  const env = runEnvironment(
    { NODE_OPTIONS: '--max-old-space-size=100', DD_IAST_ENABLED: 'false' },
    '/a b/init.js',
    1,
  );
  assert.equal(env.NODE_OPTIONS, '--max-old-space-size=100 --require "/a b/init.js"');
  assert.equal(env.SLUICE_IAST_ENABLED, undefined);
  assert.equal(runEnvironment({}, '/x/init.js', 1).SLUICE_IAST_ENABLED, 'true');
});

test('sluice report: the agent JSON Lines file as a CI gate (SARIF out, exit 1 at or above --fail-on)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-report-'));
  const file = path.join(dir, 'iast.jsonl');
  // DD_TRACE_AGENT_PORT=9: nothing listens; the file is the only report.
  const ran = await run(['run', '--', process.execPath, 'oneshot-app.cjs'], {
    SLUICE_IAST_REPORT_FILE: file,
    DD_TRACE_AGENT_PORT: '9',
  });
  assert.equal(ran.code, 0, ran.stderr);

  const gated = await run(['report', '--file', file, '--format', 'sarif', '--fail-on', 'medium']);
  assert.equal(gated.code, 1, gated.stderr);
  const sarif = JSON.parse(gated.stdout);
  assert.equal(sarif.version, '2.1.0');
  const result = sarif.runs[0].results[0];
  assert.equal(result.ruleId, 'WEAK_HASH');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'oneshot-app.cjs');
  assert.equal(result.locations[0].physicalLocation.region.startLine, 6);

  const passed = await run(['report', '--file', file, '--format', 'json', '--fail-on', 'high']);
  assert.equal(passed.code, 0, passed.stderr);
  const exported = JSON.parse(passed.stdout);
  assert.equal(exported.total, 1);
  assert.equal(exported.findings[0].type, 'WEAK_HASH');
});

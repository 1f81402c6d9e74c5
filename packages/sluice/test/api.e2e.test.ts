// The public API and propagation in a real child process under `--require sluice/init` /
// `--import sluice/init`, on both engines, and without the agent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FIXTURES = path.join(__dirname, '../../test/propagation/fixtures');

async function runApp(app: string, preload: string[], env: Record<string, string>): Promise<unknown> {
  const { stdout } = await run(process.execPath, [...preload, path.join(FIXTURES, app)], {
    cwd: FIXTURES,
    env: { ...process.env, DD_TRACE_AGENT_URL: 'http://127.0.0.1:9', ...env },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
}

const TAINTED = {
  enabled: true,
  same: true,
  sql: [
    [27, 35, 'filter'],
    [45, 46, 'filter'],
  ],
  upper: [
    [27, 35, 'filter'],
    [45, 46, 'filter'],
  ],
  piece: [[0, 3, 'filter']],
  json: [[0, 8, 'filter']],
  path: [[5, 13, 'filter']],
  sanitized: 1,
};

for (const engine of ['native', 'js']) {
  test(`[${engine}] CommonJS app: custom source, rewritten operations and hooks carry taint`, async () => {
    const out = await runApp('api-app.cjs', ['--require', 'sluice/init'], {
      DD_IAST_ENABLED: 'true',
      SLUICE_IAST_ENGINE: engine,
    });
    assert.deepEqual(out, TAINTED);
  });

  test(`[${engine}] ES module app under --import`, async () => {
    const out = await runApp('api-app.mjs', ['--import', 'sluice/init'], {
      DD_IAST_ENABLED: 'true',
      SLUICE_IAST_ENGINE: engine,
    });
    assert.deepEqual(out, { enabled: true, sql: TAINTED.sql, path: TAINTED.path });
  });
}

test('without the agent the API is a no-op and the program behaves the same', async () => {
  const plain = await runApp('api-app.cjs', [], {});
  assert.deepEqual(plain, {
    enabled: false,
    same: true,
    sql: [],
    upper: [],
    piece: [],
    json: [],
    path: [],
    sanitized: null,
  });
  const disabled = await runApp('api-app.cjs', ['--require', 'sluice/init'], { DD_IAST_ENABLED: 'false' });
  assert.deepEqual(disabled, plain);
});

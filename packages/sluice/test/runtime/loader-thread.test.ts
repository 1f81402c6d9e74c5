import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const INIT = join(__dirname, '../../src/init.js');

// Node 20 runs --require preloads again in the ES module loader's thread: the agent must
// start once per process, not once per thread, whichever way it is loaded.
for (const [flag, file, code] of [
  ['--require', 'app.cjs', 'console.log("ran " + process.argv.length);'],
  ['--import', 'app.mjs', 'import "node:http"; console.log("ran " + process.argv.length);'],
] as const) {
  test(`the agent starts once under ${flag}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-loader-'));
    writeFileSync(join(dir, file), code);
    const run = spawnSync(process.execPath, [flag, INIT, join(dir, file)], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DD_IAST_ENABLED: 'true', SLUICE_LOG_LEVEL: 'info', DD_TRACE_AGENT_PORT: '9' },
      timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'ran 2');
    const starts = run.stderr.split('\n').filter((line) => line.includes('started (engine'));
    assert.equal(starts.length, 1, run.stderr);
  });
}

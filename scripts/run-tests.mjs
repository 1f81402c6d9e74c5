// Runs every compiled test file of every workspace, and the demo's tests, with Node's own test runner, in one
// `node --test` invocation so that CI reads a single summary. Arguments, if any, are
// substrings that select test files (e.g. `npm test -- rewriter`).
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeCompatibilityTable } from './compatibility-table.mjs';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const filters = process.argv.slice(2);

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = [];
// The demo application is plain JavaScript (as a user's app would be): its tests are not compiled.
for (const example of readdirSync(join(root, 'examples')))
  collect(join(root, 'examples', example, 'test'), files);
for (const pkg of readdirSync(join(root, 'packages')))
  collect(join(root, 'packages', pkg, 'dist', 'test'), files);
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('run-tests: no test files found (did the build run?)');
  process.exit(1);
}
// A complete run regenerates docs/compatibility.md from what the sink tests recorded.
const complete = filters.length === 0;
const coverageRecords = join(root, 'packages', 'sluice', 'dist', 'sink-coverage.jsonl');
if (complete) rmSync(coverageRecords, { force: true });
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...selected], {
  cwd: root,
  stdio: 'inherit',
});
if (complete && result.status === 0) {
  const rows = writeCompatibilityTable();
  console.log(`run-tests: docs/compatibility.md regenerated (${rows} rows)`);
}
process.exit(result.status ?? 1);

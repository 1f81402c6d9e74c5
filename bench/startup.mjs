// Start-up time of a program that loads express, pg, sequelize and lodash
// (bench/startup-workload.mjs): plain vs `--require sluice/init` (IAST on) with a cold and a
// warm rewrite cache. Twice: with the default globs (application files only; node_modules
// left alone) and with every node_modules file rewritten as well (the worst case).
// Each variant runs N times, interleaved; medians of wall time; ratios against plain.
// Usage: node bench/startup.mjs [--runs N]   (needs npm run build and npm install --prefix bench)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const init = join(root, 'packages/sluice/dist/src/init.js');
const workload = join(import.meta.dirname, 'startup-workload.mjs');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-startup-'));

const sluiceEnv = {
  DD_IAST_ENABLED: 'true',
  // Nothing listens there: the exporter's failure is not part of start-up.
  DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
};
const everything = { SLUICE_REWRITER_EXCLUDE: '/nothing-excluded/**' };
// The rewriter alone (no agent): the test preload with a do-nothing runtime, to tell the
// rewriter's share of the start-up from the rest of the agent's.
const preload = join(root, 'packages/sluice/test/fixtures/rewriter/preload.cjs');
const rewriterOnly = (cacheDir, all) => ({
  SLUICE_TEST_RUNTIME: 'identity',
  SLUICE_TEST_REWRITER: JSON.stringify({ cacheDir, ...(all ? { exclude: [] } : {}) }),
});

let coldCount = 0;
const variants = [
  { name: 'plain', env: {}, args: [] },
  { name: 'sluice, app files, cold cache', env: sluiceEnv, args: ['--require', init], cache: 'cold' },
  { name: 'sluice, app files, warm cache', env: sluiceEnv, args: ['--require', init], cache: 'warm-app' },
  {
    name: 'sluice, all files, cold cache',
    env: { ...sluiceEnv, ...everything },
    args: ['--require', init],
    cache: 'cold',
  },
  {
    name: 'sluice, all files, warm cache',
    env: { ...sluiceEnv, ...everything },
    args: ['--require', init],
    cache: 'warm-all',
  },
  {
    name: 'rewriter only, app files, warm',
    env: rewriterOnly(join(scratch, 'r-app')),
    args: ['--require', preload],
    cache: 'r',
  },
  {
    name: 'rewriter only, all files, warm',
    env: rewriterOnly(join(scratch, 'r-all'), true),
    args: ['--require', preload],
    cache: 'r',
  },
];

function once(v) {
  const env = { ...process.env, ...v.env };
  if (v.cache === 'cold') env.SLUICE_CACHE_DIR = join(scratch, `cold-${++coldCount}`);
  else if (v.cache?.startsWith('warm')) env.SLUICE_CACHE_DIR = join(scratch, v.cache);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...v.args, workload], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 || !r.stdout.includes('start-up-done')) throw new Error(`${v.name}: ${r.stderr}`);
  return ms;
}

// Fill the warm caches first.
for (const v of variants) if (v.cache && v.cache !== 'cold') once(v);
const times = new Map(variants.map((v) => [v.name, []]));
for (let i = 0; i < runs; i++) for (const v of variants) times.get(v.name).push(once(v));
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const plain = median(times.get('plain'));
console.log(
  `start-up of express + pg + sequelize + lodash, median of ${runs} runs (node ${process.version})`,
);
for (const v of variants) {
  const m = median(times.get(v.name));
  console.log(`  ${v.name.padEnd(32)} ${m.toFixed(0).padStart(6)} ms  ${(m / plain).toFixed(2)}x`);
}

// Run time of the differential corpus (packages/sluice/test/differential/corpora.ts), per
// package: plain vs every package file rewritten (real propagation runtime) with untainted
// inputs, and with tainted inputs; plus "identity": rewritten code calling a runtime that only
// performs each operation (the cost of the rewriting itself, without taint look-ups). Each variant is a child process that runs the corpus once
// to warm up, then N timed iterations; ratios are against the plain run of the same package.
// Usage: node bench/rewriter-corpus.mjs [--iterations N] [--rounds R]   (needs npm run build)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'packages/sluice/dist');
const runner = join(dist, 'test/differential/run-corpus.js');
const preload = join(root, 'packages/sluice/test/fixtures/rewriter/preload.cjs');
const { CORPORA } = await import(join(dist, 'test/differential/corpora.js'));
const arg = (name, dflt) => Number(process.argv[process.argv.indexOf(name) + 1]) || dflt;
const iterations = arg('--iterations', 20);
const rounds = arg('--rounds', 3);

function time(corpus, mode) {
  const env = {
    ...process.env,
    SLUICE_TEST_REWRITER: JSON.stringify({
      include: corpus.dirs.map((d) => `${root}/node_modules/${d}/**`),
      exclude: [],
    }),
  };
  const args = mode === 'plain' ? [] : ['--require', preload];
  args.push(runner, corpus.name, '--iterations', String(iterations));
  if (mode === 'tainted') args.push('--taint');
  if (mode === 'identity') env.SLUICE_TEST_RUNTIME = 'identity';
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${corpus.name} ${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout).cpuMs;
}

const modes = ['plain', 'identity', 'rewritten', 'tainted'];
const totals = Object.fromEntries(modes.map((m) => [m, 0]));
console.log(
  `corpus CPU time (ms), ${iterations} iterations, best of ${rounds} rounds, modes interleaved (node ${process.version})`,
);
const header = ['plain ms', 'identity', 'ratio', 'rewritten', 'ratio', 'tainted', 'ratio'];
console.log(`${'package'.padEnd(12)}${header.map((h) => h.padStart(10)).join('')}`);
const row = (label, t) =>
  `${label.padEnd(12)}${t.plain.toFixed(1).padStart(10)}${['identity', 'rewritten', 'tainted']
    .map((m) => `${t[m].toFixed(1).padStart(10)}${`${(t[m] / t.plain).toFixed(2)}x`.padStart(10)}`)
    .join('')}`;
for (const corpus of CORPORA) {
  const best = Object.fromEntries(modes.map((m) => [m, Number.POSITIVE_INFINITY]));
  // Interleaved rounds, so that a burst of load elsewhere hits every mode alike.
  for (let round = 0; round < rounds; round++)
    for (const mode of modes) best[mode] = Math.min(best[mode], time(corpus, mode));
  for (const mode of modes) totals[mode] += best[mode];
  console.log(row(corpus.name, best));
}
console.log(row('total', totals));

// Semantic equivalence on real code: each package runs its corpus once plainly and once with
// every one of its files rewritten (real propagation runtime when built, identity otherwise),
// with untainted and with tainted inputs; outputs and exceptions must be identical.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CORPORA } from './corpora.js';

const repoRoot = path.join(__dirname, '../../../../..');
const nodeModules = path.join(repoRoot, 'node_modules');
const runner = path.join(__dirname, 'run-corpus.js');
const preload = path.join(__dirname, '../../../test/fixtures/rewriter/preload.cjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'sluice-differential-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface RunOutput {
  results: string[];
  /** String results still tainted (tainted mode). */
  tainted: number;
  report?: {
    runtime: string;
    counters: { rewritten: number; unchanged: number; failed: number; skipped: number };
    files: { file: string; changed: boolean }[];
    failures: string[];
  };
}

/**
 * Corpora whose string results carry input text through the package's own (rewritten) code.
 * Not pug: its output is built by the template function it generates with `new Function`,
 * which no load hook sees; nor validator/lodash, whose cases return arrays.
 */
const STRING_RESULTS = new Set(['marked', 'handlebars', 'ejs', 'qs', 'yaml']);

function run(name: string, rewritten: boolean, taint = false, esm = false): RunOutput {
  const corpus = CORPORA.find((c) => c.name === name);
  assert.ok(corpus);
  const reportFile = path.join(scratch, `${name}-${rewritten}-${taint}-${esm}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_TEST_REPORT: reportFile };
  env.SLUICE_TEST_REWRITER = JSON.stringify({
    include: corpus.dirs.map((d) => `${nodeModules}/${d}/**`),
    exclude: [],
  });
  const args = rewritten ? ['--require', preload, runner, name] : [runner, name];
  if (taint) args.push('--taint');
  if (esm) args.push('--esm');
  const r = spawnSync(process.execPath, args, {
    env,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, `${name} (${rewritten ? 'rewritten' : 'plain'}) failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as RunOutput;
  if (rewritten) out.report = JSON.parse(readFileSync(reportFile, 'utf8'));
  return out;
}

describe('differential: plain vs every file rewritten', () => {
  for (const corpus of CORPORA) {
    it(`${corpus.name}: identical outputs and exceptions`, () => {
      const plain = run(corpus.name, false);
      const rewritten = run(corpus.name, true);
      const report = rewritten.report;
      assert.ok(report);
      assert.deepEqual(report.failures, []);
      assert.equal(report.counters.failed, 0);
      assert.ok(report.counters.rewritten > 0, 'files were rewritten');
      const inDirs = (f: string) =>
        corpus.dirs.some((d) => f.startsWith(path.join(nodeModules, d) + path.sep));
      assert.ok(
        report.files.every((f) => inDirs(f.file)),
        'only the package files were processed',
      );
      assert.equal(rewritten.results.length, plain.results.length);
      for (let i = 0; i < plain.results.length; i++) assert.equal(rewritten.results[i], plain.results[i]);
      if (report.runtime.startsWith('real')) {
        const tainted = run(corpus.name, true, true);
        for (let i = 0; i < plain.results.length; i++)
          assert.equal(tainted.results[i], plain.results[i], 'tainted inputs');
        // Taint flows through the rewritten library code into string results.
        if (STRING_RESULTS.has(corpus.name))
          assert.ok(tainted.tainted > 0, 'some string results are tainted');
      }
    });
    if (corpus.esm) {
      it(`${corpus.name} (ES module build, through the ESM load hook): identical outputs and exceptions`, () => {
        const plain = run(corpus.name, false, false, true);
        const rewritten = run(corpus.name, true, false, true);
        const report = rewritten.report;
        assert.ok(report);
        assert.deepEqual(report.failures, []);
        assert.ok(
          report.files.some((f) => f.file.endsWith('.esm.js') && f.changed),
          'the ES module build was rewritten',
        );
        assert.deepEqual(rewritten.results, plain.results);
        assert.deepEqual(run(corpus.name, false).results, plain.results, 'the ESM and CommonJS builds agree');
      });
    }
  }
});

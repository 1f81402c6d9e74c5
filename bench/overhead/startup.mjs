// The start-up workload: apps/startup.cjs (the four workload apps mounted in one express app,
// Sequelize models over pg, lodash) from spawn to listening, under each variant, `runs` times
// interleaved; medians. Sluice runs with its rewriter cache cold (an empty SLUICE_CACHE_DIR per
// run) and warm (a directory filled by an earlier run), first with the default globs
// (application files rewritten, node_modules left alone), then with every file rewritten
// (node_modules too: the large dependency tree goes through the rewriter).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from './app-process.mjs';
import { childEnv } from './modes.mjs';

const appsDir = join(import.meta.dirname, 'apps');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export async function measureStartup({ agent, variants, runs, log }) {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-bench-startup-'));
  let cold = 0;
  const once = async (variant) => {
    const cacheDir =
      variant.cache === 'cold'
        ? join(scratch, `cold-${++cold}`)
        : variant.cache && join(scratch, variant.cache);
    const app = await startApp({
      app: 'startup.cjs',
      cwd: appsDir,
      args: variant.args,
      env: childEnv(variant, agent.url, cacheDir ? { SLUICE_CACHE_DIR: cacheDir } : {}),
    });
    const memory = await app.memory();
    const stderr = app.stderr();
    await app.stop();
    return { startupMs: app.startupMs, rss: memory.rss, heapUsed: memory.heapUsed, stderr };
  };
  try {
    // Fill the warm caches (and let the OS cache every file) before timing anything.
    for (const variant of variants) await once(variant);
    const samples = new Map(variants.map((v) => [v.name, []]));
    for (let i = 0; i < runs; i++) {
      for (const variant of variants) {
        const sample = await once(variant);
        samples.get(variant.name).push(sample);
        log(`startup ${i + 1}/${runs} ${variant.name}: ${sample.startupMs.toFixed(0)} ms`);
      }
    }
    return variants.map((variant) => {
      const list = samples.get(variant.name);
      return {
        variant: variant.name,
        runs: list.length,
        startupMs: median(list.map((s) => s.startupMs)),
        startupMsAll: list.map((s) => Math.round(s.startupMs)),
        rss: median(list.map((s) => s.rss)),
        heapUsed: median(list.map((s) => s.heapUsed)),
        stderr: list.map((s) => s.stderr).find((s) => s.trim()) ?? '',
      };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Overhead of Sluice against no agent and against dd-trace v5 IAST, on realistic express apps
// (apps/*.cjs) driven with autocannon on loopback; all report to an in-process fake agent.
// For each workload, each mode in turn: start the app, warm up, measure, read memory, stop.
// Then the start-up workload. Prints Markdown tables; writes bench/results/overhead-<date>.json.
//
// Usage (from bench/): npm run bench -- [options]
//   --quick              short runs (2 s warm-up, 5 s measure, 2 start-up runs) for development
//   --only <w>[,<w>...]  workloads: api-pg, pages, sinks, strings, startup
//   --modes <m>[,...]    modes by name (none, sluice, dd-trace, "sluice 30%", "sluice 0%", "sluice js",
//                        baseline with --baseline)
//   --warmup <s> --duration <s> --connections <n> --startup-runs <n>
//   --rounds <n>         run the modes of each workload n times, interleaved (none, sluice, ...,
//                        none, sluice, ...); each ratio is the median of the rounds' ratios to
//                        that round's `none` (the machines are noisy: one pair of runs a minute
//                        apart can differ by 15% with nothing changed)
//   --cpu-prof           write a CPU profile per run (results/profiles/) and print its summary
//   --snapshot           measure a copy of the built agent taken at the start (results/sluice-snapshot/),
//                        for when packages/sluice may be rebuilt during the run
//   --baseline <dir>     also run the mode `baseline`: the build copied into <dir> earlier by
//                        `node bench/overhead/snapshot.mjs <dir>`, with the `sluice` mode's settings
//                        (an A/B of two builds; use with --rounds and --modes none,sluice,baseline)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp } from './app-process.mjs';
import { startFakeAgent } from './fake-agent.mjs';
import { drive } from './load.mjs';
import {
  childEnv,
  ddTraceVersion,
  requestModes,
  sluiceInit,
  snapshotSluice,
  startupVariants,
} from './modes.mjs';
import { summarise } from './profile-summary.mjs';
import { measureStartup } from './startup.mjs';
import { requestTable, startupTable } from './table.mjs';
import { workloads } from './workloads.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    modes: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'startup-runs': { type: 'string' },
    rounds: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const settings = {
  warmup: Number(opts.warmup ?? (opts.quick ? 2 : 10)),
  duration: Number(opts.duration ?? (opts.quick ? 5 : 15)),
  connections: Number(opts.connections ?? 10),
  startupRuns: Number(opts['startup-runs'] ?? (opts.quick ? 2 : 5)),
  rounds: Math.max(1, Number(opts.rounds ?? 1)),
};
const allWorkloads = [...Object.keys(workloads), 'startup'];
const selected = opts.only ? opts.only.split(',').map((s) => s.trim()) : allWorkloads;
for (const name of selected) {
  if (!allWorkloads.includes(name))
    throw new Error(`unknown workload ${name} (one of ${allWorkloads.join(', ')})`);
}
const appsDir = join(import.meta.dirname, 'apps');
const resultsDir = join(import.meta.dirname, '..', 'results');
const init = opts.snapshot ? snapshotSluice(join(resultsDir, 'sluice-snapshot')) : sluiceInit;
const modes = requestModes(init, opts.baseline === undefined ? undefined : baselineInit(opts.baseline));
const selectedModes = opts.modes ? modes.filter((m) => opts.modes.split(',').includes(m.name)) : modes;
const profilesDir = join(resultsDir, 'profiles');

function baselineInit(dir) {
  // Relative to where the command was typed: npm runs the script from bench/.
  const file = join(resolve(process.env.INIT_CWD ?? process.cwd(), dir), 'dist', 'src', 'init.js');
  if (!existsSync(file))
    throw new Error(
      `--baseline ${dir}: no ${file}; copy a build there first (build it, then node bench/overhead/snapshot.mjs ${dir})`,
    );
  return file;
}
const log = (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const profileFlags = (tag) => {
  if (!opts['cpu-prof']) return [];
  const dir = join(profilesDir, tag.replace(/[^\w.-]+/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
};
const profileSummaries = [];
function collectProfile(tag) {
  if (!opts['cpu-prof']) return;
  const dir = join(profilesDir, tag.replace(/[^\w.-]+/g, '_'));
  // Node 20's ES module loader thread writes its own (small) profile: take the main thread's.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  if (!file) return;
  profileSummaries.push(
    `### ${tag} (${join(dir, file)})\n${summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')))}`,
  );
}

async function runMode(name, workload, mode, agent) {
  await workload.setup?.();
  agent.take();
  const tag = `${name}-${mode.name}`;
  const app = await startApp({
    app: workload.app,
    cwd: appsDir,
    args: mode.args,
    nodeFlags: profileFlags(tag),
    env: childEnv(mode, agent.url),
  });
  let row;
  try {
    const requests = workload.requests();
    await drive({ port: app.port, requests, connections: settings.connections, seconds: settings.warmup });
    const load = await drive({
      port: app.port,
      requests,
      connections: settings.connections,
      seconds: settings.duration,
    });
    // Let the exporters send what the run queued before reading memory.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const memory = await app.memory();
    row = {
      mode: mode.name,
      startupMs: app.startupMs,
      load,
      memory: {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        rssAfterGc: memory.rssAfterGc,
        external: memory.external,
      },
      sluice: memory.sluice,
    };
  } finally {
    const exit = await app.stop();
    if (exit.code !== 0) log(`${tag}: exited with ${exit.code ?? exit.signal}`);
  }
  // After the exit: what the agents flushed at exit counts too.
  row.agent = agent.take();
  row.stderr = app.stderr().trim() || undefined;
  collectProfile(tag);
  return row;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * One row per mode. With several rounds: each round's ratios to the `none` run of the same
 * round; the row shown is the round with the median throughput ratio (its latency and memory
 * readings stay consistent with each other), with the medians of the ratios and every round's
 * ratio attached.
 */
function combineRounds(modes, rounds) {
  if (settings.rounds === 1) return modes.map((mode) => rounds.get(mode.name)[0]);
  const base = rounds.get('none') ?? [];
  return modes.map((mode) => {
    const runs = rounds.get(mode.name);
    const paired = runs
      .map((row, i) => ({ row, base: base[i] }))
      .filter(({ row, base }) => !row.error && base && !base.error);
    if (paired.length === 0) return runs.find((row) => row.error) ?? runs[0];
    const ratios = paired.map(({ row, base }) => row.load.rps / base.load.rps);
    const p99Ratios = paired.map(({ row, base }) => row.load.p99 / base.load.p99);
    const middle = median(ratios);
    // The baseline's own ratios are all 1: its row is the round with the median throughput.
    const keys = mode.name === 'none' ? paired.map(({ row }) => row.load.rps) : ratios;
    const target = median(keys);
    let chosen = paired[0];
    let distance = Number.POSITIVE_INFINITY;
    paired.forEach((pair, i) => {
      if (Math.abs(keys[i] - target) < distance) {
        distance = Math.abs(keys[i] - target);
        chosen = pair;
      }
    });
    return {
      ...chosen.row,
      rounds: paired.map(({ row }, i) => ({ rps: row.load.rps, vsNone: ratios[i], p99VsNone: p99Ratios[i] })),
      vsNone: middle,
      p99VsNone: median(p99Ratios),
      rssVsNone: median(paired.map(({ row, base }) => row.memory.rss - base.memory.rss)),
    };
  });
}

const agent = await startFakeAgent();
const started = new Date();
const results = { requestWorkloads: [], startup: undefined };
try {
  for (const name of selected.filter((w) => w !== 'startup')) {
    const workload = workloads[name];
    const entry = { workload: name, summary: workload.summary, modes: [] };
    results.requestWorkloads.push(entry);
    const rounds = new Map(selectedModes.map((mode) => [mode.name, []]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const mode of selectedModes) {
        const which = settings.rounds > 1 ? ` (round ${round} of ${settings.rounds})` : '';
        log(`${name} / ${mode.name}${which}: ${settings.warmup} s warm-up, ${settings.duration} s measured`);
        try {
          const row = await runMode(name, workload, mode, agent);
          rounds.get(mode.name).push(row);
          log(
            `  ${row.load.rps.toFixed(0)} req/s, p50 ${row.load.p50.toFixed(2)} ms, p99 ${row.load.p99.toFixed(2)} ms, ` +
              `RSS ${(row.memory.rss / 1048576).toFixed(1)} MB, start-up ${row.startupMs.toFixed(0)} ms`,
          );
          if (row.stderr) log(`  stderr: ${row.stderr.split('\n').slice(-5).join('\n          ')}`);
        } catch (err) {
          log(`  FAILED: ${err.stack ?? err}`);
          rounds.get(mode.name).push({ mode: mode.name, error: String(err.message ?? err) });
        }
      }
    }
    entry.modes.push(...combineRounds(selectedModes, rounds));
  }
  if (selected.includes('startup')) {
    log(`startup: ${settings.startupRuns} runs per variant`);
    results.startup = await measureStartup({
      agent,
      variants: startupVariants(init),
      runs: settings.startupRuns,
      log,
    });
  }
} finally {
  await agent.close();
}

const header =
  `Sluice overhead, ${started.toISOString()} — node ${process.version}, dd-trace ${ddTraceVersion}, ` +
  `${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s measured per mode` +
  (settings.rounds > 1 ? `, ${settings.rounds} interleaved rounds (medians of per-round ratios)` : '');
const sections = [header, ''];
if (results.requestWorkloads.length > 0) sections.push(requestTable(results.requestWorkloads), '');
if (results.startup) sections.push(startupTable(results.startup), '');
console.log(sections.join('\n'));
if (profileSummaries.length > 0) console.log(`CPU profiles\n\n${profileSummaries.join('\n\n')}`);

mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `overhead-${started.toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ date: started.toISOString(), node: process.version, ddTrace: ddTraceVersion, sluice: init, settings, ...results }, null, 2)}\n`,
);
log(`results written to ${file}`);

// How each mode starts an application: node flags and environment. Every mode reports to the
// same in-process fake agent. The child's environment is the parent's without any DD_*,
// SLUICE_* or NODE_OPTIONS, plus what the mode sets (so nothing leaks from the shell).
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = import.meta.dirname;
const require = createRequire(join(here, 'apps', 'package.json'));
// As an application resolves them from its own directory: sluice from the workspace
// (node_modules/sluice -> packages/sluice), dd-trace from bench/node_modules.
export const sluiceInit = require.resolve('sluice/init');
export const ddTraceInit = require.resolve('dd-trace/init');
export const ddTraceVersion = require(join(dirname(ddTraceInit), 'package.json')).version;

/**
 * Copies the built agent (package.json, dist/, the native addon) into `dir` and returns the
 * copy's init: a run then measures one build even while packages/sluice is being rebuilt.
 * `dir` must be inside the repository so that the agent's dependencies still resolve.
 */
export function snapshotSluice(dir) {
  const pkg = dirname(require.resolve('sluice/package.json'));
  mkdirSync(join(dir, 'build'), { recursive: true });
  cpSync(join(pkg, 'package.json'), join(dir, 'package.json'));
  cpSync(join(pkg, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(pkg, 'build', 'Release'), join(dir, 'build', 'Release'), { recursive: true });
  return join(dir, 'dist', 'src', 'init.js');
}

const sluice = (init, extra) => ({
  args: ['--require', init],
  env: { SLUICE_IAST_ENABLED: 'true', SLUICE_IAST_REQUEST_SAMPLING: '100', ...extra },
});

// dd-trace v5 with IAST on every request: sampling 100%, no cap on concurrent analysed
// requests (default 2) and the same per-request finding quota as Sluice (default 2 -> 10).
// Remote configuration, telemetry, runtime metrics, profiling, crash tracking and start-up
// logs are off: none of them is IAST work, and each would add background traffic or a process.
export const ddTraceEnv = {
  DD_IAST_ENABLED: 'true',
  DD_IAST_REQUEST_SAMPLING: '100',
  DD_IAST_MAX_CONCURRENT_REQUESTS: '1000',
  DD_IAST_MAX_CONTEXT_OPERATIONS: '10',
  DD_IAST_DEDUPLICATION_ENABLED: 'true',
  DD_IAST_TELEMETRY_VERBOSITY: 'OFF',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_TELEMETRY_METRICS_ENABLED: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_CRASHTRACKING_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_TRACE_STATS_COMPUTATION_ENABLED: 'false',
  DD_DATA_STREAMS_ENABLED: 'false',
};

/**
 * The modes of the request workloads, in the order they run. `none` is the baseline of every
 * ratio. With `baselineInit` (another build's init, see --baseline), the mode `baseline` runs
 * that build as `sluice` runs this one, right after it.
 */
export const requestModes = (init, baselineInit) => [
  { name: 'none', args: [], env: {} },
  { name: 'sluice', ...sluice(init) },
  ...(baselineInit ? [{ name: 'baseline', ...sluice(baselineInit) }] : []),
  { name: 'dd-trace', args: ['--require', ddTraceInit], env: ddTraceEnv },
  { name: 'sluice 30%', ...sluice(init, { SLUICE_IAST_REQUEST_SAMPLING: '30' }) },
  { name: 'sluice 0%', ...sluice(init, { SLUICE_IAST_REQUEST_SAMPLING: '0' }) },
  { name: 'sluice js', ...sluice(init, { SLUICE_IAST_ENGINE: 'js' }) },
];

// The start-up variants (see startup.mjs): every file rewritten = node_modules too.
const everyFile = { SLUICE_REWRITER_EXCLUDE: '/nothing-excluded/**' };
export const startupVariants = (init) => [
  { name: 'none', args: [], env: {} },
  { name: 'sluice, cold cache', ...sluice(init), cache: 'cold' },
  { name: 'sluice, warm cache', ...sluice(init), cache: 'warm-app' },
  { name: 'sluice, all files, cold cache', ...sluice(init, everyFile), cache: 'cold' },
  { name: 'sluice, all files, warm cache', ...sluice(init, everyFile), cache: 'warm-all' },
  { name: 'dd-trace', args: ['--require', ddTraceInit], env: ddTraceEnv },
];

export function childEnv(mode, agentUrl, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(DD_|SLUICE_|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: 'production',
    DD_TRACE_AGENT_URL: agentUrl,
    DD_SERVICE: 'sluice-bench',
    ...mode.env,
    ...extra,
  };
}

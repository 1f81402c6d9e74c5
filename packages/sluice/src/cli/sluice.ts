#!/usr/bin/env node
/**
 * The `sluice` command. `sluice run [--] <command> [args...]` runs a command with the agent
 * preloaded into every Node.js process it starts (through NODE_OPTIONS), IAST enabled, and a
 * findings table printed at exit. The command's exit code is passed through.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { AGENT_ERRORS } from '../errors.js';

const USAGE = `Usage: sluice run [--] <command> [args...]
       sluice report (--file <findings.jsonl> | --url <collector>) [--format sarif|json|csv] [--fail-on <severity>]

run     Runs <command> with the Sluice agent preloaded into every Node.js process it starts
        (NODE_OPTIONS=--require sluice/init), IAST enabled, and prints a table of findings at
        exit. Configuration comes from the usual DD_*/SLUICE_* environment variables
        (docs/configuration.md).
report  Exports findings from the agent's JSON Lines file or a collector as SARIF, JSON or
        CSV, and with --fail-on exits 1 when open findings at or above that severity exist
        (a CI gate). Needs the @sluice/collector package installed.

Examples:
  sluice run -- node app.js
  SLUICE_IAST_REPORT_FILE=iast.jsonl sluice run -- node --test
  sluice report --file iast.jsonl --format sarif --fail-on high > sluice.sarif
`;

/**
 * `sluice report` is the collector's report command: the agent package stays free of the
 * collector's database dependencies, so the collector is loaded only when asked for.
 */
function report(args: string[]): void {
  let collectorCli: { main(argv: string[]): Promise<number> };
  try {
    collectorCli = require('@sluice/collector/dist/src/cli/main.js');
  } catch {
    process.stderr.write(
      `sluice report: SLUICE_ERR_CLI_COLLECTOR_MISSING: ${AGENT_ERRORS.SLUICE_ERR_CLI_COLLECTOR_MISSING} (npm install --save-dev @sluice/collector)\n`,
    );
    process.exitCode = 2;
    return;
  }
  collectorCli.main(['report', ...args]).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`sluice report: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

function quote(p: string): string {
  return /[\s"]/.test(p) ? `"${p.replace(/(["\\])/g, '\\$1')}"` : p;
}

/** The environment of the command: the agent preloaded, IAST and the summary on unless set. */
export function runEnvironment(env: NodeJS.ProcessEnv, init: string, pid: number): NodeJS.ProcessEnv {
  const out = { ...env };
  const preload = `--require ${quote(init)}`;
  out.NODE_OPTIONS = out.NODE_OPTIONS ? `${out.NODE_OPTIONS} ${preload}` : preload;
  // An empty variable counts as unset, as in the agent's configuration.
  if (!out.SLUICE_IAST_ENABLED && !out.DD_IAST_ENABLED) out.SLUICE_IAST_ENABLED = 'true';
  if (!out.SLUICE_IAST_SUMMARY) out.SLUICE_IAST_SUMMARY = 'true';
  out.SLUICE_RUN_PID = String(pid);
  return out;
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    const pkg = require(path.join(__dirname, '../../../package.json')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  if (command === 'report') {
    report(rest);
    return;
  }
  if (command !== 'run') {
    process.stderr.write(
      command === undefined || command === '--help' || command === '-h'
        ? USAGE
        : `sluice: unknown command ${JSON.stringify(command)}\n\n${USAGE}`,
    );
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
    return;
  }
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const [program, ...programArgs] = args;
  if (program === undefined) {
    process.stderr.write(`sluice run: no command given\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const init = path.join(__dirname, '..', 'init.js');
  const child = spawn(program, programArgs, {
    stdio: 'inherit',
    env: runEnvironment(process.env, init, process.pid),
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward(signal));
  child.on('error', (error) => {
    process.stderr.write(`sluice run: cannot start ${program}: ${error.message}\n`);
    process.exitCode = 127;
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      const { signals } = require('node:os').constants as { signals: Record<string, number> };
      process.exitCode = 128 + (signals[signal] ?? 1);
    } else process.exitCode = code ?? 1;
  });
}

if (require.main === module) main(process.argv.slice(2));

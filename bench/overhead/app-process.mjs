// One application process: spawned with the mode's flags, ready when it prints PORT=<n>,
// questioned and stopped over its IPC channel (apps/harness.cjs).
import { spawn } from 'node:child_process';

const READY_TIMEOUT_MS = 120_000;

/**
 * Starts `node [flags] <app>` and resolves once it listens, with the port and the start-up
 * time (spawn to PORT line). Keeps the last lines of stderr for the report.
 */
export async function startApp({ app, cwd, args = [], env, nodeFlags = [] }) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, ...args, app], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${app}: not listening after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.stdout.on('data', (d) => {
      out += d;
      const m = /PORT=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  child.stdout.resume();

  const ask = (message, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${app}: no answer to ${message}`)), timeoutMs);
      child.once('message', (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.send(message);
    });

  return {
    port,
    startupMs,
    pid: child.pid,
    stderr: () => stderr,
    /** RSS as the run left it, heap used after a full collection, Sluice's counters. */
    memory: () => ask('memory'),
    /** Asks for a normal exit (writes --cpu-prof); kills after a grace period. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.send('exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

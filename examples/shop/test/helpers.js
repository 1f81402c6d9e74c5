'use strict';
// Shared by the demo's tests: real child processes (the shop, the collector) started and
// stopped the way a user would run them.
const { spawn } = require('node:child_process');
const path = require('node:path');

const SHOP_DIR = path.join(__dirname, '..');
const ROOT = path.join(SHOP_DIR, '..', '..');
const COLLECTOR_BIN = path.join(ROOT, 'packages', 'collector', 'bin', 'sluice-collector.js');

/**
 * Starts `node ...args` and resolves once a stdout line matches `ready` (its first group is
 * returned as `url`). Rejects with the output so far when the process exits first.
 */
function start(args, { cwd = SHOP_DIR, env = {}, ready, timeoutMs = 30_000 }) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  return {
    child,
    url,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

const SHOP_READY = /shop listening on (http:\/\/\S+)/;
const COLLECTOR_READY = /listening on (http:\/\/\S+)/;

module.exports = { start, SHOP_DIR, ROOT, COLLECTOR_BIN, SHOP_READY, COLLECTOR_READY };

'use strict';
// Shared by the demo's tests: real child processes (the shop, the collector) started and
// stopped the way a user would run them.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');

const SHOP_DIR = path.join(__dirname, '..');
const ROOT = path.join(SHOP_DIR, '..', '..');
const COLLECTOR_BIN = path.join(ROOT, 'packages', 'collector', 'bin', 'sluice-collector.js');

/**
 * The shop is its own npm project (it plays a user's application), so a fresh clone's
 * `npm ci` at the root does not install it: install it from its lockfile once, with a lock
 * directory so that test files running in parallel do not install twice.
 */
function ensureDependencies() {
  const pkg = JSON.parse(fs.readFileSync(path.join(SHOP_DIR, 'package.json'), 'utf8'));
  const shopRequire = createRequire(path.join(SHOP_DIR, 'package.json'));
  const missing = () =>
    Object.keys(pkg.dependencies).filter((m) => {
      try {
        shopRequire.resolve(m);
        return false;
      } catch {
        return true;
      }
    });
  if (missing().length === 0) return;
  const lock = path.join(SHOP_DIR, '.install-lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (Date.now() > deadline)
        throw new Error(`${lock} stayed for 15 minutes: remove it if no install runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    if (missing().length === 0) return;
    process.stderr.write(`installing the demo shop's dependencies (${missing().join(', ')} missing)\n`);
    const r = spawnSync('npm', ['ci', '--prefix', SHOP_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
    if (r.status !== 0 || missing().length > 0)
      throw new Error(
        `could not install the demo shop: run \`npm ci --prefix examples/shop\` (${missing().join(', ')})`,
      );
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

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

module.exports = { ensureDependencies, start, SHOP_DIR, ROOT, COLLECTOR_BIN, SHOP_READY, COLLECTOR_READY };

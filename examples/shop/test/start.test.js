'use strict';
// README's main job, `npm start`, in its --once mode (--no-build: `npm test` has built): it starts the collector
// and the shop under Sluice, drives traffic, prints the findings and the Explorer's address,
// and exits 0 leaving no process behind.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { ensureDependencies, ROOT } = require('./helpers');

ensureDependencies();

const START = path.join(ROOT, 'scripts', 'start.mjs');

function run(args, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [START, ...args], {
      cwd: ROOT,
      env: { ...process.env, SLUICE_DEMO_ONCE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function refused(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

test('npm start --once runs the demo end to end and exits 0', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-start-'));
  try {
    const store = path.join(dir, 'demo.db');
    const r = await run([
      '--once',
      '--no-build',
      '--collector-port',
      '0',
      '--shop-port',
      '0',
      '--store',
      store,
    ]);
    assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
    assert.match(r.stdout, /30\/30 requests answered as expected/);
    const explorer = /Vulnerability Explorer: (http:\/\/127\.0\.0\.1:\d+)\/\?service=sluice-demo-shop/.exec(
      r.stdout,
    );
    assert.ok(explorer, `no Explorer address in:\n${r.stdout}`);
    // The summary lists the findings per type, read back from the collector's API.
    for (const [type, severity] of [
      ['HARDCODED_PASSWORD', 'high'],
      ['HARDCODED_SECRET', 'high'],
      ['HSTS_HEADER_MISSING', 'low'],
      ['INSECURE_COOKIE', 'medium'],
      ['NO_HTTPONLY_COOKIE', 'medium'],
      ['NO_SAMESITE_COOKIE', 'medium'],
      ['STACKTRACE_LEAK', 'medium'],
      ['WEAK_CIPHER', 'medium'],
      ['WEAK_RANDOMNESS', 'low'],
      ['XCONTENTTYPE_HEADER_MISSING', 'low'],
    ])
      assert.match(
        r.stdout,
        new RegExp(`^  ${type} +${severity} +1$`, 'm'),
        `${type} in the summary; stderr:\n${r.stderr}`,
      );
    assert.match(r.stdout, /^ {2}WEAK_HASH +medium +2$/m);
    assert.ok(fs.statSync(store).size > 0, 'the SQLite store was written');
    // Both children are gone: nothing answers at the collector's address any more.
    assert.ok(await refused(`${explorer[1]}/api/health`), 'the collector still answers after --once');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('npm start says which port is taken and how to choose another', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  try {
    const port = blocker.address().port;
    const r = await run(
      ['--once', '--no-build', '--collector-port', String(port), '--shop-port', '0'],
      60_000,
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(r.stderr, /--collector-port <port>/);
  } finally {
    blocker.close();
  }
});

test('npm start rejects a bad port argument', async () => {
  const r = await run(['--once', '--no-build', '--shop-port', 'eighty'], 60_000);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--shop-port must be a port number/);
});

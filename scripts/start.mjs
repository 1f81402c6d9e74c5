#!/usr/bin/env node
// The main job (`npm start`): builds Sluice if needed, starts the collector with the
// Vulnerability Explorer on a SQLite file under .sluice/, starts the demo shop under the Sluice
// agent reporting to it, drives traffic through every endpoint, prints the Explorer's address
// and the findings per type, then keeps both running until Ctrl-C.
//
//   npm start                       keep running; Ctrl-C stops both processes
//   npm start -- --once             exit after the summary (SLUICE_DEMO_ONCE=1 does the same)
//   npm start -- --collector-port 8126 --shop-port 3000 --store .sluice/demo.db
//   npm start -- --no-build         do not rebuild Sluice (the outputs must exist)
//
// Exit codes: 0 done; 1 the demo did not answer as expected or a process failed;
// 2 bad arguments or a port already in use.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHOP_DIR = join(ROOT, 'examples', 'shop');
const COLLECTOR_BIN = join(ROOT, 'packages', 'collector', 'bin', 'sluice-collector.js');
const HOST = '127.0.0.1';
const SERVICE = 'sluice-demo-shop';
const STARTUP_TIMEOUT_MS = 30_000;
// The agent exports once a second: findings are all in when the intake count stops moving.
const SETTLE_POLL_MS = 1_200;
const SETTLE_TIMEOUT_MS = 20_000;
const OVERRIDDEN = [
  'IAST_ENABLED',
  'TRACE_AGENT_URL',
  'AGENT_HOST',
  'TRACE_AGENT_PORT',
  'SERVICE',
  'ENV',
  'VERSION',
];

class StartError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function log(message) {
  process.stdout.write(`${message}\n`);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        once: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        'collector-port': { type: 'string' },
        'shop-port': { type: 'string' },
        store: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new StartError(
      `${err.message}\nUsage: npm start -- [--once] [--no-build] [--collector-port N] [--shop-port N] [--store file]`,
      2,
    );
  }
  if (parsed.help) {
    log(
      'Usage: npm start -- [--once] [--no-build] [--collector-port 8126] [--shop-port 3000] [--store .sluice/demo.db]',
    );
    process.exit(0);
  }
  const port = (value, name, fallback) => {
    const raw = value ?? fallback;
    if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535)
      throw new StartError(`${name} must be a port number (0-65535), not "${raw}"`, 2);
    return Number(raw);
  };
  const env = process.env;
  return {
    once: parsed.once || /^(1|true|yes)$/i.test(env.SLUICE_DEMO_ONCE ?? ''),
    build: !parsed['no-build'],
    collectorPort: port(parsed['collector-port'], '--collector-port', env.SLUICE_COLLECTOR_PORT ?? '8126'),
    shopPort: port(parsed['shop-port'], '--shop-port', env.SHOP_PORT ?? '3000'),
    store: resolve(ROOT, parsed.store ?? env.SLUICE_DEMO_STORE ?? join('.sluice', 'demo.db')),
  };
}

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  let latest = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else latest = Math.max(latest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return latest;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds when an output is missing or older than its sources (tsc takes about a second).
 * With --no-build (the tests: `npm test` has just built) only checks the outputs exist.
 */
function buildIfNeeded(allowed) {
  const outputs = [
    [join(ROOT, 'packages/sluice/dist/src/init.js'), [join(ROOT, 'packages/sluice/src')]],
    [
      join(ROOT, 'packages/collector/dist/src/cli/main.js'),
      [join(ROOT, 'packages/collector/src'), join(ROOT, 'packages/collector/ui/src')],
    ],
  ];
  const stale = outputs.some(([out, sources]) => {
    const built = mtime(out);
    return built === 0 || sources.some((s) => newest(s) > built);
  });
  const present = () =>
    outputs.every(([out]) => mtime(out) > 0) && existsSync(join(ROOT, 'packages/collector/ui/dist'));
  if (!allowed) {
    if (present()) return;
    throw new StartError('Sluice is not built and --no-build was given: run `npm run build` first', 2);
  }
  if (!stale && present()) return;
  log('Building Sluice (npm run build)...');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status === 0) return;
  // tsc emits even when it reports type errors: go on if every output is there.
  if (present()) {
    process.stderr.write('npm start: the build reported errors (see above); starting with what it emitted\n');
    return;
  }
  throw new StartError('the build failed (see above); fix it or run `npm run build` to see why');
}

/** The demo is its own npm project (it plays a user's application): install it on first run. */
function installShopIfNeeded() {
  const needed = [
    'express',
    'better-sqlite3',
    'ejs',
    'ldapjs',
    'node-serialize',
    'escape-html',
    'cookie-parser',
  ];
  // Resolved the way the shop resolves them, so hoisted copies (a workspace) count too.
  const shopRequire = createRequire(join(SHOP_DIR, 'package.json'));
  const resolvable = (m) => {
    try {
      shopRequire.resolve(m);
      return true;
    } catch {
      return false;
    }
  };
  if (needed.every(resolvable)) return;
  log(
    'Installing the demo shop (npm install --prefix examples/shop); compiling better-sqlite3 can take a few minutes when no prebuilt binary is available...',
  );
  const r = spawnSync('npm', ['install', '--prefix', SHOP_DIR, '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new StartError('npm install of examples/shop failed (see above)');
}

/** Fails with a clear message when something already listens on HOST:port. */
function ensureFree(port, what, flag) {
  if (port === 0) return Promise.resolve();
  return new Promise((resolvePort, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => {
      reject(
        new StartError(
          err.code === 'EADDRINUSE'
            ? `port ${port} on ${HOST} is already in use, so the ${what} cannot start there. ` +
                `Stop whatever listens on it (another \`npm start\`, a collector or a Datadog Agent?) or choose another port with \`npm start -- ${flag} <port>\`.`
            : `cannot use port ${port} on ${HOST} for the ${what}: ${err.message}`,
          2,
        ),
      );
    });
    probe.listen(port, HOST, () => probe.close(() => resolvePort()));
  });
}

/** Runs a child whose output is prefixed, and resolves with the first stdout match of `ready`. */
function startChild(name, command, args, spawnOptions, ready) {
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const relay = (stream, out) => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        tail.push(line);
        if (tail.length > 20) tail.shift();
        out.write(`[${name}] ${line}\n`);
        child.emit('line', line);
        nl = buffered.indexOf('\n');
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const started = new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new StartError(`the ${name} did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
      STARTUP_TIMEOUT_MS,
    );
    child.on('line', (line) => {
      const m = ready.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolveStart(m[1]);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new StartError(`the ${name} exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
  return { name, child, exited, started, tail };
}

async function stopChild(proc, timeoutMs = 5_000) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  await proc.exited;
  clearTimeout(timer);
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new StartError(`the collector answered ${res.status} to ${url}`);
  return res.json();
}

/** The number of findings the collector's intake has received since it started. */
async function received(collectorUrl) {
  const health = await getJson(`${collectorUrl}/api/health`);
  return Number(health.intake?.findings ?? 0);
}

/**
 * Waits until the collector has received what the traffic produced: more findings than
 * before it (a new shop process reports its findings again), and no more for one poll.
 */
async function settle(collectorUrl, before) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = -1;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
    const now = await received(collectorUrl);
    if (now > before && now === last) return true;
    last = now;
  }
  process.stderr.write(
    `npm start: findings were still arriving after ${SETTLE_TIMEOUT_MS / 1000} s; the summary may be incomplete\n`,
  );
  return false;
}

function summaryTable(page) {
  const severityOf = new Map();
  for (const f of page.items) severityOf.set(f.type, f.severity);
  const rows = Object.entries(page.counts.byType).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(4, ...rows.map(([t]) => t.length));
  const lines = [`  ${'type'.padEnd(width)}  severity  findings`];
  for (const [type, n] of rows)
    lines.push(`  ${type.padEnd(width)}  ${(severityOf.get(type) ?? '').padEnd(8)}  ${n}`);
  const s = page.counts.bySeverity;
  lines.push(
    `  ${page.total} findings: ${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low`,
  );
  return lines.join('\n');
}

async function main() {
  const opts = options();
  buildIfNeeded(opts.build);
  installShopIfNeeded();
  await ensureFree(opts.collectorPort, 'collector', '--collector-port');
  await ensureFree(opts.shopPort, 'demo shop', '--shop-port');
  mkdirSync(dirname(opts.store), { recursive: true });

  const procs = [];
  let stopping = false;
  // Ctrl-C reaches the children too (same process group): from then on their exits are expected.
  let interrupted = false;
  const signalled = new Promise((r) => {
    const onSignal = () => {
      interrupted = true;
      stopping = true;
      r();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const stopAll = async () => {
    stopping = true;
    // The shop first, so that the agent's last findings reach a collector that still listens.
    for (const p of [...procs].reverse()) await stopChild(p);
  };

  try {
    const collector = startChild(
      'collector',
      process.execPath,
      [COLLECTOR_BIN, 'serve', '--host', HOST, '--port', String(opts.collectorPort), '--store', opts.store],
      { cwd: ROOT, env: process.env },
      /listening on (http:\/\/\S+)/,
    );
    procs.push(collector);
    const collectorUrl = await collector.started;

    const shop = startChild(
      'shop',
      process.execPath,
      ['--require', 'sluice/init', 'server.js'],
      {
        cwd: SHOP_DIR,
        env: {
          ...process.env,
          // A SLUICE_ name wins over its DD_ twin: drop any the caller has set.
          ...Object.fromEntries(OVERRIDDEN.map((name) => [`SLUICE_${name}`, undefined])),
          DD_IAST_ENABLED: 'true',
          DD_TRACE_AGENT_URL: collectorUrl,
          DD_SERVICE: SERVICE,
          DD_ENV: 'demo',
          DD_VERSION: createRequire(import.meta.url)(join(SHOP_DIR, 'package.json')).version,
          SHOP_PORT: String(opts.shopPort),
        },
      },
      /shop listening on (http:\/\/\S+)/,
    );
    procs.push(shop);
    const shopUrl = await shop.started;

    const unexpectedExit = (p) =>
      p.exited.then(({ code, signal }) => {
        if (stopping) return;
        process.stderr.write(`npm start: the ${p.name} stopped unexpectedly (${signal ?? `code ${code}`})\n`);
        process.exitCode = 1;
        stopAll();
      });
    for (const p of procs) unexpectedExit(p);

    const before = await received(collectorUrl);
    log(`\nDriving traffic through the demo shop at ${shopUrl} ...`);
    const { drive, format } = createRequire(import.meta.url)(join(SHOP_DIR, 'drive.js'));
    const results = await drive(shopUrl);
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) process.stderr.write(`${format(r)}\n`);
    log(`${results.length - failed.length}/${results.length} requests answered as expected`);

    const settled = await settle(collectorUrl, before);
    const page = await getJson(`${collectorUrl}/api/findings?service=${SERVICE}&pageSize=200&sort=-severity`);
    log(`\nFindings for service ${SERVICE}:\n${summaryTable(page)}`);
    log(`\nVulnerability Explorer: ${collectorUrl}/?service=${SERVICE}`);
    log(`Demo shop:              ${shopUrl}/  (safe twins under ${shopUrl}/safe/)`);
    log(`Store:                  ${opts.store}`);

    if (failed.length > 0) process.exitCode = 1;
    if (!settled && page.total === 0) {
      // The whole point of the demo is findings waiting in the Explorer.
      process.stderr.write(
        'npm start: no finding reached the collector; see the [shop] lines above for what the agent said\n',
      );
      process.exitCode = 1;
    }
    if (opts.once || stopping) {
      await stopAll();
      return;
    }
    log('\nRunning: press Ctrl-C to stop the collector and the demo shop.');
    await Promise.race([signalled, Promise.all(procs.map((p) => p.exited))]);
    log('\nStopping...');
    await stopAll();
  } catch (err) {
    await stopAll();
    if (interrupted) return;
    throw err;
  }
}

main().catch((err) => {
  process.stderr.write(`npm start: ${err instanceof StartError ? err.message : (err?.stack ?? err)}\n`);
  process.exitCode = err instanceof StartError ? err.exitCode : 1;
});

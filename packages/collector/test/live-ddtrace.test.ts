import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Collector, startCollector } from '../src/server.js';
import { BACKENDS } from './helpers/stores.js';

const APP = join(__dirname, '../../test/fixtures/ddtrace-app.js');
const ROOT = join(__dirname, '../../../..');

/** Datadog's own Node.js tracer (dd-trace v5, IAST on) reporting into the collector. */
describe('live: dd-trace v5 reports into the collector', () => {
  let collector: Collector;
  let cleanup: () => Promise<void>;
  let app: ChildProcess;
  let appUrl: string;
  let appLog = '';

  before(async () => {
    const sqlite = BACKENDS[0];
    if (!sqlite) throw new Error('no sqlite backend');
    const opened = await sqlite.open();
    cleanup = opened.cleanup;
    collector = await startCollector({ port: 0, store: opened.store, uiDir: null });
    app = spawn(process.execPath, ['--require', 'dd-trace/init', APP], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DD_TRACE_AGENT_URL: collector.url,
        DD_IAST_ENABLED: 'true',
        DD_IAST_REQUEST_SAMPLING: '100',
        DD_SERVICE: 'live-shop',
        DD_ENV: 'test',
        DD_VERSION: '3.2.1',
        DD_TRACE_FLUSH_INTERVAL: '100',
        DD_REMOTE_CONFIGURATION_ENABLED: 'false',
        DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
        DD_TRACE_STARTUP_LOGS: 'false',
      },
    });
    app.stderr?.on('data', (d) => {
      appLog += d;
    });
    appUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      app.stdout?.on('data', (d) => {
        out += d;
        const m = /LISTENING (\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      app.on('exit', (code) => reject(new Error(`app exited with ${code}: ${appLog}`)));
    });
  });

  after(async () => {
    if (app.exitCode === null) {
      const exited = new Promise((resolve) => app.once('exit', resolve));
      app.kill('SIGTERM');
      await exited;
    }
    await collector.close();
    await cleanup();
  });

  async function waitForTypes(types: string[], timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const page = await collector.store.list({ service: ['live-shop'] });
      const found = new Set(page.items.map((f) => f.type));
      if (types.every((t) => found.has(t))) return page;
      if (Date.now() > deadline)
        assert.fail(
          `expected ${types.join(', ')}; stored: ${[...found].join(', ') || 'nothing'}; intake: ${JSON.stringify(collector.intake.stats)}; app: ${appLog}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('stores the weak hash and the command injection dd-trace detects, with stack and sources', async () => {
    assert.equal((await fetch(`${appUrl}/hash?v=secret`)).status, 200);
    assert.equal((await fetch(`${appUrl}/cmd?name=x;id`)).status, 200);
    const page = await waitForTypes(['WEAK_HASH', 'COMMAND_INJECTION']);
    assert.equal(collector.intake.stats.rejected, 0, collector.intake.stats.lastError ?? '');

    const weak = page.items.find((f) => f.type === 'WEAK_HASH');
    assert.ok(weak);
    assert.equal(weak.env, 'test');
    assert.equal(weak.location.path, 'packages/collector/test/fixtures/ddtrace-app.js');
    assert.equal(weak.location.line, 11);
    assert.equal(weak.evidenceSnippet, 'md5');

    const cmdi = page.items.find((f) => f.type === 'COMMAND_INJECTION');
    assert.ok(cmdi);
    assert.equal(cmdi.location.line, 18);
    const detail = await collector.store.get(cmdi.id);
    assert.ok(detail);
    assert.deepEqual(
      detail.sources.map((s) => [s.origin, s.name]),
      [['http.request.parameter', 'name']],
    );
    assert.ok(detail.evidence.valueParts?.some((p) => p.source === 0 || p.redacted));
    assert.equal(detail.tracer.language, 'nodejs');
    assert.match(detail.tracer.version ?? '', /^5\./);
    assert.deepEqual(
      detail.versions.map((v) => v.version),
      ['3.2.1'],
    );
    assert.equal(detail.request?.method, 'GET');
    assert.ok(detail.stack.length > 0, 'the stack from meta_struct["_dd.stack"] is stored');
    assert.equal(detail.stack[0]?.file, 'packages/collector/test/fixtures/ddtrace-app.js');
  });

  it('counts a repeated request as another occurrence of the same finding', async () => {
    const before =
      (await collector.store.list({ service: ['live-shop'], type: ['WEAK_HASH'] })).items[0]?.occurrences ??
      0;
    // dd-trace deduplicates a vulnerability per process for a while; the request still reaches the intake.
    assert.equal((await fetch(`${appUrl}/hash?v=again`)).status, 200);
    await new Promise((r) => setTimeout(r, 500));
    const page = await collector.store.list({ service: ['live-shop'], type: ['WEAK_HASH'] });
    assert.equal(page.total, 1, 'still one finding');
    assert.ok((page.items[0]?.occurrences ?? 0) >= before);
  });
});

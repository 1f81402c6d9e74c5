import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { javaSpan, msgpackTraces, nodeSpan, put } from './helpers/payloads.js';

const BIN = join(__dirname, '../../bin/sluice-collector.js');

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sluice-collector CLI', () => {
  let dir: string;
  let jsonl: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    jsonl = join(dir, 'findings.jsonl');
    const span = nodeSpan();
    // The agent's file: a span with _dd.iast.json, and a bare report object, one per line.
    const lines = [
      JSON.stringify({ service: span.service, span_id: 42, meta: { ...span.meta } }),
      JSON.stringify({
        service: 'worker',
        env: 'prod',
        vulnerabilities: [
          {
            type: 'WEAK_RANDOMNESS',
            evidence: { value: 'Math.random' },
            location: { path: 'jobs/token.js', line: 3 },
          },
        ],
        sources: [],
      }),
      '',
    ];
    writeFileSync(jsonl, lines.join('\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('report --file: SARIF on stdout, exit 1 when --fail-on finds open findings at or above it', async () => {
    const r = await run(['report', '--file', jsonl, '--format', 'sarif', '--fail-on', 'high']);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0].results.length, 3);
    assert.match(r.stderr, /FAIL: 1 open findings at or above high/);
  });

  it('report --file: exit 0 when nothing reaches the threshold; CSV and JSON formats', async () => {
    const onlyLow = join(dir, 'low.jsonl');
    writeFileSync(onlyLow, `${readFileSync(jsonl, 'utf8').split('\n')[1]}\n`);
    const r = await run(['report', '--file', onlyLow, '--format', 'csv', '--fail-on', 'medium']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id,fingerprint,service/);
    assert.match(r.stdout, /WEAK_RANDOMNESS/);
    const out = join(dir, 'out.json');
    const j = await run(['report', '--file', jsonl, '--format', 'json', '--output', out]);
    assert.equal(j.code, 0);
    assert.equal(j.stdout, '');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).findings.length, 3);
  });

  it('exits 2 with a coded message on usage and input errors', async () => {
    const cases: [string[], RegExp][] = [
      [['report', '--file', jsonl, '--fail-on', 'severe'], /SLC_ERR_CLI_USAGE/],
      [['report', '--file', jsonl, '--format', 'xml'], /SLC_ERR_CLI_USAGE/],
      [['report'], /exactly one of --url/],
      [['report', '--file', join(dir, 'missing.jsonl')], /SLC_ERR_REPORT_INPUT_INVALID/],
      [['report', '--bogus'], /SLC_ERR_CLI_USAGE/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
    }
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"service":"x","vulnerabilities":[{"type":"XSS"}]}\n{not json\n');
    const r = await run(['report', '--file', broken]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /line 2: not JSON/);
  });

  describe('serve and report --url', () => {
    let child: ChildProcess;
    let url: string;
    const storeDir = () => join(dir, 'store');

    before(async () => {
      child = spawn(
        process.execPath,
        [BIN, 'serve', '--port', '0', '--store', join(storeDir(), 'c.db'), '--ui-dir', dir],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/[^\s]+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
    });
    after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it('serves the intake and the API, and report --url gates on the stored findings', async () => {
      assert.equal((await put(url, '/v0.4/traces', msgpackTraces([[javaSpan()]]))).status, 200);
      const gate = await run(['report', '--url', url, '--format', 'json', '--fail-on', 'critical']);
      assert.equal(gate.code, 1, gate.stderr);
      assert.equal(JSON.parse(gate.stdout).findings.length, 2);
      const filtered = await run([
        'report',
        '--url',
        url,
        '--format',
        'sarif',
        '--fail-on',
        'critical',
        '--status',
        'muted',
      ]);
      assert.equal(filtered.code, 0, filtered.stderr);
      assert.equal(JSON.parse(filtered.stdout).runs[0].results.length, 0);
    });

    it('stops cleanly on SIGTERM', async () => {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    });

    it('report --url against nothing listening exits 3', async () => {
      const r = await run(['report', '--url', 'http://127.0.0.1:1', '--format', 'json']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /SLC_ERR_COLLECTOR_UNREACHABLE: cannot reach/);
    });
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toSarif } from '../src/export/sarif.js';
import { findingsFromSpan } from '../src/intake/iast.js';
import { decodeTraces } from '../src/intake/traces.js';
import { DEFAULT_DECODE_LIMITS } from '../src/msgpack.js';
import { openStore } from '../src/store/open.js';
import type { SqlStore } from '../src/store/store.js';
import { finding } from './helpers/findings.js';
import { dotnetSpan, javaSpan, msgpackTraces, nodeSpan, pythonSpan } from './helpers/payloads.js';

// Microsoft's SARIF Multitool: the reference validator (the 2.1.0 JSON schema plus the SARIF
// rules, and the "Gh" rules that GitHub code scanning's ingestion enforces).
const MULTITOOL: string = createRequire(__filename)('@microsoft/sarif-multitool');

function validate(file: string, dir: string, ruleKind: string): { errors: string[]; output: string } {
  const out = join(dir, `validation-${ruleKind.replace(/\W/g, '')}.sarif`);
  rmSync(out, { force: true });
  const r = spawnSync(MULTITOOL, ['validate', file, '-o', out, '--rule-kind', ruleKind], {
    encoding: 'utf8',
    // The self-contained .NET binary needs no ICU in invariant mode.
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    timeout: 120_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, output);
  const log = JSON.parse(readFileSync(out, 'utf8'));
  const errors = (log.runs[0].results ?? [])
    .filter((x: { level?: string }) => x.level === 'error')
    .map(
      (x: { ruleId: string; message: { text?: string; arguments?: string[] } }) =>
        `${x.ruleId} ${JSON.stringify(x.message)}`,
    );
  return { errors, output };
}

describe('SARIF against the SARIF Multitool validator', () => {
  let dir: string;
  let store: SqlStore;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sarif-'));
    store = await openStore({ url: ':memory:' });
    for (const [span, language] of [
      [nodeSpan(), 'nodejs'],
      [javaSpan(), 'java'],
      [pythonSpan(), 'python'],
      [dotnetSpan(), 'dotnet'],
    ] as const) {
      const spans = decodeTraces(
        msgpackTraces([[span]]),
        'v0.4',
        'application/msgpack',
        DEFAULT_DECODE_LIMITS,
      );
      await store.ingest(
        spans.flatMap((s) =>
          findingsFromSpan(
            s,
            { tracer: { language, version: null }, receivedAt: Date.now() },
            DEFAULT_DECODE_LIMITS,
          ),
        ),
      );
    }
    // A finding with no code location at all (a missing header) and a muted one.
    await store.ingest([
      finding({
        service: 'hdr',
        type: 'HSTS_HEADER_MISSING',
        location: { path: null, line: null },
        evidence: {},
        sources: [],
      }),
    ]);
    const weak = (await store.list({ type: ['WEAK_HASH'] })).items[0];
    await store.setStatus(weak?.id ?? -1, 'muted', 'accepted risk', 'test');
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no errors under the SARIF and GitHub rule sets', async () => {
    const file = join(dir, 'sluice.sarif');
    const log = toSarif(await store.details({}), { root: '/srv/shop' });
    assert.equal(log.runs[0].results.length, 8);
    writeFileSync(file, JSON.stringify(log, null, 2));
    for (const kinds of ['Sarif', 'Gh']) {
      const { errors, output } = validate(file, dir, kinds);
      assert.deepEqual(errors, [], `${kinds}: ${output}`);
    }
  });

  it('the validator does reject what GitHub would (so the check above means something)', async () => {
    const file = join(dir, 'broken.sarif');
    const log = toSarif(await store.details({}), { root: '/srv/shop' });
    log.runs[0].results[0].locations = [];
    writeFileSync(file, JSON.stringify(log));
    const { errors } = validate(file, dir, 'Gh');
    assert.ok(
      errors.some((e) => e.startsWith('GH1015')),
      errors.join('\n'),
    );
  });
});

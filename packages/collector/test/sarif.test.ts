import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toCsv } from '../src/export/csv.js';
import { toSarif } from '../src/export/sarif.js';
import { findingsFromSpan } from '../src/intake/iast.js';
import { decodeTraces } from '../src/intake/traces.js';
import type { FindingDetail } from '../src/model.js';
import { DEFAULT_DECODE_LIMITS } from '../src/msgpack.js';
import { openStore } from '../src/store/open.js';
import type { SqlStore } from '../src/store/store.js';
import { dotnetSpan, javaSpan, msgpackTraces, nodeSpan, pythonSpan } from './helpers/payloads.js';

// biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON document
type Json = any;

/**
 * The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) and of GitHub code
 * scanning's upload rules that our output uses: required properties, their types, value
 * ranges and cross references. Returns every problem found, not just the first.
 */
function validateSarif(log: Json): string[] {
  const problems: string[] = [];
  const need = (cond: unknown, msg: string) => {
    if (!cond) problems.push(msg);
  };
  const isStr = (v: unknown) => typeof v === 'string' && v.length > 0;
  need(log.version === '2.1.0', 'version must be "2.1.0"');
  need(typeof log.$schema === 'string', '$schema should name the 2.1.0 schema');
  need(Array.isArray(log.runs) && log.runs.length > 0, 'runs must be a non-empty array');
  for (const [r, run] of (log.runs ?? []).entries()) {
    const driver = run.tool?.driver;
    need(isStr(driver?.name), `runs[${r}].tool.driver.name is required`);
    const rules: Json[] = driver?.rules ?? [];
    const ids = new Set<string>();
    for (const [i, rule] of rules.entries()) {
      need(isStr(rule.id), `rules[${i}].id is required`);
      need(!ids.has(rule.id), `rules[${i}].id is duplicated`);
      ids.add(rule.id);
      need(isStr(rule.shortDescription?.text), `rules[${i}].shortDescription.text`);
      const sev = Number.parseFloat(rule.properties?.['security-severity']);
      need(
        typeof rule.properties?.['security-severity'] === 'string' && sev >= 0 && sev <= 10,
        `rules[${i}] security-severity`,
      );
      need(
        ['none', 'note', 'warning', 'error'].includes(rule.defaultConfiguration?.level),
        `rules[${i}] level`,
      );
    }
    need(Array.isArray(run.results), `runs[${r}].results must be an array`);
    for (const [i, res] of (run.results ?? []).entries()) {
      const where = `results[${i}]`;
      need(isStr(res.message?.text), `${where}.message.text is required`);
      need(ids.has(res.ruleId), `${where}.ruleId must name a rule`);
      if (res.ruleIndex !== undefined)
        need(rules[res.ruleIndex]?.id === res.ruleId, `${where}.ruleIndex must point at ruleId`);
      need(['none', 'note', 'warning', 'error'].includes(res.level), `${where}.level`);
      for (const [k, v] of Object.entries(res.partialFingerprints ?? {}))
        need(isStr(v), `${where}.partialFingerprints.${k}`);
      need(Object.keys(res.partialFingerprints ?? {}).length > 0, `${where}.partialFingerprints`);
      need(
        Array.isArray(res.locations) && res.locations.length > 0,
        `${where}.locations must not be empty (GitHub)`,
      );
      for (const loc of res.locations ?? []) {
        const pl = loc.physicalLocation;
        if (!pl) {
          need(Array.isArray(loc.logicalLocations), `${where} location without physical or logical location`);
          continue;
        }
        const uri: string = pl.artifactLocation?.uri;
        need(isStr(uri), `${where} artifactLocation.uri is required`);
        need(
          !/^[a-z]+:/i.test(uri) && !uri.startsWith('/'),
          `${where} uri must be repository-relative: ${uri}`,
        );
        if (pl.region)
          need(
            Number.isInteger(pl.region.startLine) && pl.region.startLine >= 1,
            `${where} region.startLine >= 1`,
          );
      }
      for (const flow of res.codeFlows ?? []) {
        need(
          Array.isArray(flow.threadFlows) && flow.threadFlows.length > 0,
          `${where} codeFlow needs threadFlows`,
        );
        for (const tf of flow.threadFlows ?? []) {
          need(Array.isArray(tf.locations) && tf.locations.length > 0, `${where} threadFlow needs locations`);
          for (const tfl of tf.locations ?? [])
            need(
              tfl.location?.physicalLocation?.artifactLocation?.uri,
              `${where} threadFlow step needs a location`,
            );
        }
      }
    }
  }
  return problems;
}

describe('SARIF export', () => {
  let store: SqlStore;
  let findings: FindingDetail[];

  before(async () => {
    store = await openStore({ url: ':memory:' });
    const headers: [ReturnType<typeof nodeSpan>, string][] = [
      [nodeSpan(), 'nodejs'],
      [javaSpan(), 'java'],
      [pythonSpan(), 'python'],
      [dotnetSpan(), 'dotnet'],
    ];
    for (const [span, language] of headers) {
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
    findings = await store.details({});
  });
  after(() => store.close());

  it('produces a structurally valid SARIF 2.1.0 log for all four tracers', () => {
    const log = toSarif(findings, { root: '/srv/shop' });
    assert.deepEqual(validateSarif(log), []);
    assert.equal(log.runs[0].results.length, findings.length);
    assert.equal(findings.length, 7);
  });

  it('has one rule per type with security-severity and CWE tags', () => {
    const log = toSarif(findings, { root: '/srv/shop' });
    const rules = log.runs[0].tool.driver.rules as Json[];
    const sqli = rules.find((r) => r.id === 'SQL_INJECTION');
    assert.equal(sqli.properties['security-severity'], '9.8');
    assert.ok(sqli.properties.tags.includes('external/cwe/cwe-89'));
    assert.equal(rules.find((r) => r.id === 'WEAK_HASH').properties['security-severity'], '5.3');
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
  });

  it('writes repo-relative locations; Java class names become source paths', () => {
    const log = toSarif(findings, { root: '/srv/shop' });
    const uris = (log.runs[0].results as Json[])
      .map((r) => r.locations[0]?.physicalLocation?.artifactLocation.uri)
      .filter(Boolean);
    assert.ok(uris.includes('routes/search.js'));
    assert.ok(uris.includes('com/acme/shop/web/UserController.java'));
    assert.ok(uris.includes('com/acme/shop/admin/Tools.java'), 'inner classes map to the outer file');
    assert.ok(uris.includes('shop/views/files.py'));
    assert.ok(uris.includes('Acme/Shop/Crypto/LegacyCipher.cs'));
  });

  it('links tainted sources to the sink in a codeFlow, through application frames', () => {
    const log = toSarif(findings, { root: '/srv/shop' });
    const sqli = (log.runs[0].results as Json[]).find(
      (r) => r.ruleId === 'SQL_INJECTION' && r.properties.service === 'shop-node',
    );
    const steps = sqli.codeFlows[0].threadFlows[0].locations as Json[];
    assert.match(steps[0].location.message.text, /source: http\.request\.parameter "q"/);
    assert.equal(steps.at(-1).location.message.text, 'sink: SQL_INJECTION');
    assert.deepEqual(
      steps.map((s) => s.location.physicalLocation.artifactLocation.uri),
      ['routes/search.js', 'app.js', 'routes/search.js', 'routes/search.js'],
    );
    assert.match(sqli.partialFingerprints['sluice/v1'], /^[0-9a-f]{32}$/);
    const weak = (log.runs[0].results as Json[]).find((r) => r.ruleId === 'WEAK_HASH');
    assert.equal(weak.codeFlows, undefined, 'no flow without a tainted source');
  });

  it('marks muted and fixed findings as suppressed', async () => {
    const id = findings.find((f) => f.type === 'WEAK_HASH')?.id ?? -1;
    await store.setStatus(id, 'muted', 'accepted risk: legacy checksum', 'test');
    const log = toSarif(await store.details({}), { root: '/srv/shop' });
    const weak = (log.runs[0].results as Json[]).find((r) => r.ruleId === 'WEAK_HASH');
    assert.deepEqual(weak.suppressions, [
      { kind: 'external', status: 'accepted', justification: 'accepted risk: legacy checksum' },
    ]);
    assert.deepEqual(validateSarif(log), []);
  });

  it('the validator itself catches broken logs', () => {
    const log = toSarif(findings, { root: '/srv/shop' });
    log.runs[0].results[0].locations = [
      { physicalLocation: { artifactLocation: { uri: '/abs/path.js' }, region: { startLine: 0 } } },
    ];
    delete log.runs[0].results[1].message;
    log.runs[0].tool.driver.rules[0].properties['security-severity'] = 'high';
    const problems = validateSarif(log);
    assert.equal(problems.length, 4, problems.join('\n'));
  });
});

describe('CSV export', () => {
  it('quotes per RFC 4180 and defuses cells a spreadsheet would run as formulas', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      await store.ingest([
        {
          service: '=HYPERLINK("http://evil")',
          env: 'prod',
          version: '1',
          type: 'XSS',
          location: { path: 'a,b.js', line: 3 },
          evidence: { value: '<b>"quoted"</b>\nnext line' },
          sources: [{ origin: 'http.request.parameter', name: 'q' }],
          stack: [],
          request: null,
          tracer: { language: 'nodejs', version: null },
          hash: null,
          spanId: null,
          traceId: null,
          seenAt: Date.parse('2026-11-20T10:00:00Z'),
        },
      ]);
      const csv = toCsv(await store.details({}));
      const [header, row] = csv.split('\r\n');
      assert.equal(
        header,
        'id,fingerprint,service,env,type,severity,cwe,status,path,line,method,evidence,sources,occurrences,firstSeen,lastSeen',
      );
      assert.ok(row?.includes(`"'=HYPERLINK(""http://evil"")"`), row);
      assert.ok(row?.includes('"a,b.js"'));
      assert.ok(row?.includes('"<b>""quoted""</b> next line"'), 'the snippet is one line, quotes doubled');
      assert.ok(row?.endsWith('2026-11-20T10:00:00.000Z'));
    } finally {
      await store.close();
    }
  });
});

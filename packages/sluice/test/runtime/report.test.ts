import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../../src/config.js';
import { extractTraceIds } from '../../src/context/trace-ids.js';
import { encodeTraces } from '../../src/report/encode-traces.js';
import { toIastReport } from '../../src/report/finding.js';
import { hashSource, vulnerabilityHash } from '../../src/report/hash.js';
import { encode } from '../../src/report/msgpack.js';
import { sensitiveByType, toValueParts } from '../../src/report/redaction.js';
import { attachFindings, type TraceSpan } from '../../src/report/span.js';
import type { Range, Source } from '../../src/taint/types.js';
import { decode } from '../e2e/msgpack-decode.js';

const config = readConfig({}, () => {});
const redaction = {
  enabled: true,
  namePattern: config.iast.redactionNamePattern,
  valuePattern: config.iast.redactionValuePattern,
};

test('hash: identical to the Datadog tracer for the same TYPE:path:line', () => {
  const ddAnalyzer = require('dd-trace/packages/dd-trace/src/appsec/iast/analyzers/vulnerability-analyzer.js');
  const dd = new ddAnalyzer('WEAK_HASH');
  for (const [type, path, line] of [
    ['WEAK_HASH', 'app1.js', 4],
    ['SQL_INJECTION', 'src/routes/users/a-very-long-directory-name/handler.ts', 12345],
    ['XSS', 'ü/ñ.js', 1],
  ] as const) {
    const location = { path, line };
    assert.equal(
      vulnerabilityHash(hashSource(type, location)),
      dd._createHash(dd._createHashSource(type, {}, location)),
    );
  }
  assert.equal(vulnerabilityHash('WEAK_HASH:app1.js:4'), 2990148476);
  assert.equal(hashSource('HSTS_HEADER_MISSING', undefined), 'HSTS_HEADER_MISSING');
});

test('msgpack: values round-trip through an independent decoder', () => {
  const value = {
    s: 'x'.repeat(40),
    long: 'y'.repeat(70000),
    n: [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -1, -32, -33, -200000, 1.5],
    b: true,
    f: false,
    z: null,
    big: 2n ** 63n + 5n,
    neg: -(2n ** 40n),
    bin: Buffer.from([1, 2, 3]),
    map: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    utf8: 'é✓😀',
  };
  const back = decode(encode(value)) as Record<string, unknown>;
  assert.equal(back.s, value.s);
  assert.equal(back.long, value.long);
  // Integers beyond 32 bits travel as 64-bit and decode as bigint.
  assert.deepEqual(back.n, [0, 127, 128, 255, 256, 65535, 65536, 2n ** 32n, -1, -32, -33, -200000, 1.5]);
  assert.equal(back.b, true);
  assert.equal(back.f, false);
  assert.equal(back.z, null);
  assert.equal(back.big, value.big);
  assert.equal(back.neg, value.neg);
  assert.deepEqual(back.bin, value.bin);
  assert.deepEqual(back.map, value.map);
  assert.equal(back.utf8, value.utf8);
});

test('v0.4 traces: spans with 64-bit ids and meta_struct as msgpack binaries', () => {
  const span: TraceSpan = {
    trace_id: 2n ** 64n - 1n,
    span_id: 12345n,
    parent_id: 0n,
    name: 'web.request',
    service: 'svc',
    resource: 'GET /x',
    type: 'web',
    start: 1_700_000_000_000_000_000n,
    duration: 1500n,
    error: 0,
    meta: { 'http.method': 'GET' },
    metrics: { _top_level: 1 },
    meta_struct: { '_dd.stack': { vulnerability: [{ id: '1', frames: [] }] } },
  };
  const traces = decode(encodeTraces([span, span])) as Array<Array<Record<string, unknown>>>;
  assert.equal(traces.length, 2);
  const s = traces[0]?.[0] as Record<string, unknown>;
  assert.equal(s.trace_id, 2n ** 64n - 1n);
  assert.equal(s.span_id, 12345n);
  assert.equal(s.start, 1_700_000_000_000_000_000n);
  assert.deepEqual(s.meta, { 'http.method': 'GET' });
  assert.deepEqual(s.metrics, { _top_level: 1 });
  const struct = s.meta_struct as Record<string, Buffer>;
  assert.deepEqual(decode(struct['_dd.stack'] as Buffer), { vulnerability: [{ id: '1', frames: [] }] });
});

test('trace ids: Datadog headers first, then W3C traceparent, else none', () => {
  assert.deepEqual(
    extractTraceIds({ 'x-datadog-trace-id': '18446744073709551615', 'x-datadog-parent-id': '7' }),
    {
      traceId: 18446744073709551615n,
      parentId: 7n,
      traceIdHigh: undefined,
    },
  );
  assert.equal(
    extractTraceIds({ 'x-datadog-trace-id': '5', 'x-datadog-tags': '_dd.p.tid=640cfd8d00000000' })
      ?.traceIdHigh,
    '640cfd8d00000000',
  );
  const w3c = extractTraceIds({ traceparent: '00-00000000000000000000000000000abc-00000000000000ff-01' });
  assert.deepEqual(w3c, { traceId: 0xabcn, parentId: 0xffn, traceIdHigh: undefined });
  for (const bad of [
    'garbage',
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
  ]) {
    assert.equal(extractTraceIds({ traceparent: bad }), undefined, bad);
  }
  assert.equal(extractTraceIds({ 'x-datadog-trace-id': '-1' }), undefined);
  assert.equal(extractTraceIds({ 'x-datadog-trace-id': '99999999999999999999' }), undefined);
  assert.equal(extractTraceIds({}), undefined);
});

function source(name: string, value: string, origin: Source['origin'] = 'http.request.parameter'): Source {
  return { origin, name, value };
}

test('redaction: SQL literals, command arguments, LDAP values, URL userinfo and query', () => {
  const sql = "SELECT * FROM users WHERE name = 'bob' AND age > 42";
  const spans = sensitiveByType('SQL_INJECTION', sql).map((s) => sql.slice(s.start, s.end));
  assert.deepEqual(spans, ["'bob'", '42']);
  const cmd = 'ls -la /home/secret';
  assert.deepEqual(
    sensitiveByType('COMMAND_INJECTION', cmd).map((s) => cmd.slice(s.start, s.end)),
    ['-la', '/home/secret'],
  );
  const ldap = '(&(uid=bob)(objectClass=person))';
  assert.deepEqual(
    sensitiveByType('LDAP_INJECTION', ldap).map((s) => ldap.slice(s.start, s.end)),
    ['bob', 'person'],
  );
  const url = 'https://user:pw@host/p?token=abc&x=1';
  assert.deepEqual(
    sensitiveByType('SSRF', url).map((s) => url.slice(s.start, s.end)),
    ['user:pw', 'abc', '1'],
  );
});

test('redaction: value parts keep structure visible and hide data and secrets', () => {
  const sql = "SELECT * FROM t WHERE id = '12' OR 1=1";
  const src = source('id', "12' OR 1=1");
  const ranges: Range[] = [{ start: 28, end: sql.length, source: src, marks: 0 }];
  const { valueParts, redactedSources } = toValueParts('SQL_INJECTION', sql, ranges, () => 0, redaction);
  // The whole literal, quotes included, is data: only the query's structure stays visible.
  assert.deepEqual(valueParts[0], { value: 'SELECT * FROM t WHERE id = ' });
  assert.ok(valueParts.some((p) => 'redacted' in p && p.source === 0));
  assert.ok(redactedSources.has(0));
  // Without redaction the tainted text is shown, linked to its source.
  const plain = toValueParts('SQL_INJECTION', sql, ranges, () => 0, { ...redaction, enabled: false });
  assert.deepEqual(plain.valueParts, [
    { value: "SELECT * FROM t WHERE id = '" },
    { value: "12' OR 1=1", source: 0 },
  ]);
});

test('iast report: sources indexed and shared; sensitive sources withheld', () => {
  const token = source('password', 'hunter2');
  const q = source('q', 'hello');
  const value = 'a hello b hunter2';
  const report = toIastReport(
    [
      {
        type: 'XSS',
        severity: 'high',
        cwe: 79,
        hash: 1,
        evidence: {
          value,
          ranges: [
            { start: 2, end: 7, source: q, marks: 0 },
            { start: 10, end: 17, source: token, marks: 0 },
          ],
        },
        location: { path: 'a.js', line: 3, column: 1, method: 'f', class: undefined },
        stackId: '1',
        frames: [],
      },
    ],
    99n,
    redaction,
  );
  assert.deepEqual(report.sources, [
    { origin: 'http.request.parameter', name: 'q', value: 'hello' },
    { origin: 'http.request.parameter', name: 'password', redacted: true, pattern: '*******' },
  ]);
  const v = report.vulnerabilities[0];
  assert.deepEqual(v?.evidence.valueParts, [
    { value: 'a ' },
    { value: 'hello', source: 0 },
    { value: ' b ' },
    { redacted: true, source: 1 },
  ]);
  assert.deepEqual(v?.location, { spanId: 99, path: 'a.js', line: 3, column: 1, method: 'f', stackId: '1' });
});

test('a span carries _dd.iast.json, _dd.iast.enabled and the stacks', () => {
  const span: TraceSpan = {
    trace_id: 1n,
    span_id: 2n,
    parent_id: 0n,
    name: 'web.request',
    service: 's',
    resource: 'GET',
    type: 'web',
    start: 0n,
    duration: 0n,
    error: 0,
    meta: {},
    metrics: {},
  };
  attachFindings(span, [], { service: 's', env: undefined, version: undefined, redaction });
  assert.equal(span.metrics['_dd.iast.enabled'], 1);
  assert.equal(span.meta['_dd.iast.json'], undefined);
  attachFindings(
    span,
    [
      {
        type: 'WEAK_HASH',
        severity: 'medium',
        cwe: 328,
        hash: 5,
        evidence: { value: 'md5' },
        location: { path: 'x.js', line: 1, column: 2, method: undefined, class: undefined },
        stackId: '1',
        frames: [{ file: '/app/x.js', line: 1, column: 2, function: 'f', className: undefined }],
      },
    ],
    { service: 's', env: undefined, version: undefined, redaction },
  );
  const json = JSON.parse(span.meta['_dd.iast.json'] ?? '{}');
  assert.equal(json.vulnerabilities[0].type, 'WEAK_HASH');
  assert.equal(json.vulnerabilities[0].evidence.value, 'md5');
  const stacks = span.meta_struct?.['_dd.stack'] as {
    vulnerability: Array<{ id: string; language: string }>;
  };
  const stack = stacks.vulnerability[0];
  assert.equal(stack?.id, '1');
  assert.equal(stack?.language, 'nodejs');
});

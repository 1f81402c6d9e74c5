// Tracer payloads as the Node.js tracer sends them: v0.4 msgpack traces whose service-entry
// span carries meta["_dd.iast.json"] and the stacks in meta_struct["_dd.stack"].

import { msgpack } from './msgpack-writer.js';

export interface VulnSpec {
  type: string;
  path: string;
  line: number;
  method?: string;
  /** Evidence parts; `source` is an index into `sources`. */
  parts?: { value?: string; source?: number; redacted?: boolean; pattern?: string }[];
  value?: string;
  frames?: { file: string; line: number; column?: number; function: string; class_name?: string }[];
}

export interface SpanSpec {
  service: string;
  env: string;
  version?: string;
  method?: string;
  route?: string;
  url?: string;
  sources?: { origin: string; name: string; value?: string; redacted?: boolean; pattern?: string }[];
  vulns: VulnSpec[];
}

let nextId = 1000;

export function span(spec: SpanSpec): Record<string, unknown> {
  const spanId = nextId++;
  const stacks: { id: string; language: string; frames: Record<string, unknown>[] }[] = [];
  const vulnerabilities = spec.vulns.map((v, i) => {
    const stackId = v.frames ? String(i + 1) : undefined;
    if (v.frames && stackId) {
      stacks.push({ id: stackId, language: 'nodejs', frames: v.frames.map((f, id) => ({ id, ...f })) });
    }
    return {
      type: v.type,
      hash: 100000 + spanId * 10 + i,
      location: { spanId, path: v.path, line: v.line, method: v.method, stackId },
      evidence: v.parts ? { valueParts: v.parts } : { value: v.value ?? '' },
    };
  });
  const meta: Record<string, string> = {
    env: spec.env,
    version: spec.version ?? '1.0.0',
    language: 'javascript',
    '_dd.iast.json': JSON.stringify({ sources: spec.sources ?? [], vulnerabilities }),
  };
  if (spec.method) meta['http.method'] = spec.method;
  if (spec.route) meta['http.route'] = spec.route;
  if (spec.url) meta['http.url'] = spec.url;
  const span: Record<string, unknown> = {
    trace_id: spanId * 7,
    span_id: spanId,
    parent_id: 0,
    name: 'web.request',
    resource: `${spec.method ?? 'GET'} ${spec.route ?? '/'}`,
    service: spec.service,
    type: 'web',
    start: Date.now() * 1e6,
    duration: 1_500_000,
    error: 0,
    meta,
    metrics: { '_dd.iast.enabled': 1, _sampling_priority_v1: 1 },
  };
  if (stacks.length > 0) span.meta_struct = { '_dd.stack': msgpack({ vulnerability: stacks }) };
  return span;
}

/** One trace per span, as a v0.4 payload. */
export function v04(spans: Record<string, unknown>[]): Buffer {
  return msgpack(spans.map((s) => [s]));
}

export async function postTraces(baseUrl: string, body: Buffer, lang = 'nodejs'): Promise<void> {
  const res = await fetch(`${baseUrl}/v0.4/traces`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/msgpack',
      'datadog-meta-lang': lang,
      'datadog-meta-tracer-version': `${lang}-test-1.0`,
      'x-datadog-trace-count': '1',
    },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`intake answered ${res.status}: ${text}`);
}

/** The tainted SQL text is what the highlighting test looks for. */
export const SQL_TAINT = "1' OR '1'='1";
export const XSS_TAINT = '<img src=x onerror="window.__pwned=1">';

/** A small shop's findings across two services and two environments. */
export function shopSpans(): Record<string, unknown>[] {
  return [
    span({
      service: 'shop-api',
      env: 'prod',
      method: 'GET',
      route: '/products/:id',
      url: 'http://shop.local/products/1?sort=x',
      sources: [
        { origin: 'http.request.parameter', name: 'id', value: SQL_TAINT },
        {
          origin: 'http.request.header',
          name: 'authorization',
          redacted: true,
          pattern: 'abcdefghijklmnopqrst',
        },
      ],
      vulns: [
        {
          type: 'SQL_INJECTION',
          path: 'src/routes/products.js',
          line: 42,
          method: 'getProduct',
          parts: [
            { value: "SELECT * FROM products WHERE id = '" },
            { value: SQL_TAINT, source: 0 },
            { value: "' AND token = '" },
            { redacted: true, source: 1, pattern: 'abcdefghijklmnopqrst' },
            { value: "'" },
          ],
          frames: [
            { file: 'src/routes/products.js', line: 42, column: 18, function: 'getProduct' },
            { file: 'src/app.js', line: 88, column: 5, function: 'handle', class_name: 'Router' },
          ],
        },
      ],
    }),
    span({
      service: 'shop-api',
      env: 'prod',
      method: 'POST',
      route: '/search',
      url: 'http://shop.local/search',
      sources: [{ origin: 'http.request.body', name: 'q', value: XSS_TAINT }],
      vulns: [
        {
          type: 'XSS',
          path: 'src/routes/search.js',
          line: 17,
          method: 'renderResults',
          parts: [{ value: '<h1>Results for ' }, { value: XSS_TAINT, source: 0 }, { value: '</h1>' }],
        },
      ],
    }),
    span({
      service: 'shop-api',
      env: 'staging',
      method: 'POST',
      route: '/admin/backup',
      url: 'http://staging.shop.local/admin/backup',
      sources: [{ origin: 'http.request.parameter', name: 'file', value: 'x; cat /etc/passwd' }],
      vulns: [
        {
          type: 'COMMAND_INJECTION',
          path: 'src/admin/backup.js',
          line: 9,
          method: 'backup',
          parts: [{ value: 'tar czf /tmp/' }, { value: 'x; cat /etc/passwd', source: 0 }],
        },
        { type: 'WEAK_HASH', path: 'src/admin/backup.js', line: 30, value: 'md5' },
      ],
    }),
    span({
      service: 'billing',
      env: 'prod',
      method: 'GET',
      route: '/invoices',
      url: 'http://billing.local/invoices',
      sources: [{ origin: 'http.request.parameter', name: 'file', value: '../../etc/shadow' }],
      vulns: [
        {
          type: 'PATH_TRAVERSAL',
          path: 'lib/invoices/store.js',
          line: 55,
          method: 'readInvoice',
          parts: [{ value: '/var/invoices/' }, { value: '../../etc/shadow', source: 0 }],
        },
        { type: 'WEAK_RANDOMNESS', path: 'lib/ids.js', line: 3, value: 'Math.random' },
        { type: 'INSECURE_COOKIE', path: 'lib/session.js', line: 12, value: 'sid' },
      ],
    }),
  ];
}

/** `n` distinct weak-hash findings in one service, to page through. */
export function manySpans(n: number, service = 'bulk'): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i += 25) {
    const vulns: VulnSpec[] = [];
    for (let j = i; j < Math.min(n, i + 25); j++) {
      vulns.push({
        type: j % 5 === 0 ? 'SQL_INJECTION' : 'WEAK_HASH',
        path: `src/gen/module${j}.js`,
        line: j + 1,
        value: j % 5 === 0 ? 'SELECT 1' : 'sha1',
      });
    }
    out.push(span({ service, env: 'ci', vulns }));
  }
  return out;
}

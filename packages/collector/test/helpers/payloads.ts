import { encode } from '../../src/msgpack.js';

/**
 * Spans in the shapes Datadog's tracers send, built here from their documented report format:
 * each tracer puts the same IAST report in a different place and with small variations.
 */
export interface RawSpan {
  service: string;
  name: string;
  resource: string;
  trace_id: number | bigint;
  span_id: number | bigint;
  parent_id: number | bigint;
  start: number;
  duration: number;
  error: number;
  type: string;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  meta_struct?: Record<string, Uint8Array>;
}

function baseSpan(service: string, env: string, version: string, spanId: number | bigint): RawSpan {
  return {
    service,
    name: 'web.request',
    resource: 'GET /search',
    trace_id: 1234567890123n,
    span_id: spanId,
    parent_id: 0,
    start: Date.now() * 1e6,
    duration: 1_000_000,
    error: 0,
    type: 'web',
    meta: {
      env,
      version,
      'http.method': 'GET',
      'http.route': '/search',
      'http.url': 'http://shop.local/search?q=abc',
    },
    metrics: { '_dd.iast.enabled': 1, _sampling_priority_v1: 1 },
  };
}

/** dd-trace-js: meta["_dd.iast.json"], numeric spanId, stack in meta_struct["_dd.stack"]. */
export function nodeSpan(
  opts: { service?: string; env?: string; version?: string; line?: number; payload?: string } = {},
): RawSpan {
  const span = baseSpan(opts.service ?? 'shop-node', opts.env ?? 'prod', opts.version ?? '1.0.0', 42);
  const payload = opts.payload ?? "' OR 1=1 --";
  span.meta['_dd.iast.json'] = JSON.stringify({
    sources: [{ origin: 'http.request.parameter', name: 'q', value: payload }],
    vulnerabilities: [
      {
        type: 'SQL_INJECTION',
        hash: 3452345,
        evidence: {
          valueParts: [
            { value: "SELECT * FROM products WHERE name = '" },
            { value: payload, source: 0 },
            { value: "'" },
          ],
        },
        location: {
          spanId: 42,
          path: 'routes/search.js',
          line: opts.line ?? 17,
          column: 9,
          method: 'search',
          stackId: '1',
        },
      },
      {
        type: 'WEAK_HASH',
        hash: 998877,
        evidence: { value: 'md5' },
        location: { spanId: 42, path: 'lib/token.js', line: 4, column: 20 },
      },
    ],
  });
  span.meta_struct = {
    '_dd.stack': encode({
      vulnerability: [
        {
          language: 'nodejs',
          id: '1',
          frames: [
            {
              id: 0,
              file: '/srv/shop/routes/search.js',
              line: opts.line ?? 17,
              column: 9,
              function: 'search',
            },
            {
              id: 1,
              file: '/srv/shop/app.js',
              line: 30,
              column: 3,
              function: 'handle',
              class_name: 'Router',
            },
          ],
        },
      ],
    }),
  };
  return span;
}

/** dd-trace-java: class names as paths, huge spanId, redacted sources and parts, MAX_SIZE_EXCEEDED. */
export function javaSpan(): RawSpan {
  const span = baseSpan('shop-java', 'staging', '2.3.1', 9007199254740993n);
  // The Java tracer writes 64-bit ids as JSON numbers beyond 2^53.
  span.meta['_dd.iast.json'] =
    '{"sources":[{"origin":"http.request.header","name":"authorization","redacted":true,"pattern":"abcdefghij"},' +
    '{"origin":"http.request.parameter","name":"user","value":"alice"}],' +
    '"vulnerabilities":[' +
    '{"type":"SQL_INJECTION","hash":-1234567890123456789,"evidence":{"valueParts":[{"value":"SELECT * FROM users WHERE token = \'"},' +
    '{"source":0,"redacted":true,"pattern":"abcdefghij"},{"value":"\' AND name = \'"},{"source":1,"value":"alice"},{"value":"\'"}]},' +
    '"location":{"spanId":9007199254740993,"path":"com.acme.shop.web.UserController","line":57,"method":"findUser"}},' +
    '{"type":"COMMAND_INJECTION","hash":77,"evidence":{"value":"MAX_SIZE_EXCEEDED"},' +
    '"location":{"spanId":9007199254740993,"path":"com.acme.shop.admin.Tools$Runner","line":12,"method":"run"}}]}';
  return span;
}

/** dd-trace-py: the report as msgpack bytes in meta_struct["iast"], plus a stack. */
export function pythonSpan(): RawSpan {
  const span = baseSpan('shop-python', 'prod', '0.9.0', 77);
  span.meta_struct = {
    iast: encode({
      sources: [{ origin: 'http.request.path.parameter', name: 'filename', value: '../../etc/passwd' }],
      vulnerabilities: [
        {
          type: 'PATH_TRAVERSAL',
          hash: 5551212,
          evidence: { valueParts: [{ value: '/srv/files/' }, { value: '../../etc/passwd', source: 0 }] },
          location: { spanId: 77, path: 'shop/views/files.py', line: 23, method: 'download', stackId: '7' },
        },
      ],
    }),
    '_dd.stack': encode({
      vulnerability: [
        {
          language: 'python',
          id: '7',
          frames: [
            { id: 0, file: 'shop/views/files.py', line: 23, function: 'download', text: 'open(path)' },
          ],
        },
      ],
    }),
  };
  return span;
}

/** dd-trace-dotnet: meta_struct["iast"] bytes, spanId as a string, namespace-qualified class path. */
export function dotnetSpan(): RawSpan {
  const span = baseSpan('shop-dotnet', 'prod', '5.0.0', 555);
  span.meta_struct = {
    iast: encode({
      vulnerabilities: [
        {
          type: 'WEAK_CIPHER',
          hash: 'abc123',
          evidence: { value: 'DES' },
          location: { spanId: '555', path: 'Acme.Shop.Crypto.LegacyCipher', method: 'Encrypt', line: 31 },
        },
        {
          type: 'INSECURE_COOKIE',
          hash: 42,
          evidence: { value: 'session' },
          location: { spanId: '555', path: 'Acme.Shop.Controllers.LoginController', method: 'Login' },
        },
      ],
    }),
  };
  return span;
}

export function msgpackTraces(traces: RawSpan[][]): Buffer {
  return encode(traces);
}

/** The v0.5 string-table format: [strings, traces of 12-element span arrays]. */
export function v05Traces(traces: RawSpan[][]): Buffer {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const s = (v: string) => {
    let i = index.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      index.set(v, i);
    }
    return i;
  };
  s('');
  const encoded = traces.map((trace) =>
    trace.map((sp) => [
      s(sp.service),
      s(sp.name),
      s(sp.resource),
      sp.trace_id,
      sp.span_id,
      sp.parent_id,
      sp.start,
      sp.duration,
      sp.error,
      new Map(Object.entries(sp.meta).map(([k, v]) => [s(k), s(v)])),
      new Map(Object.entries(sp.metrics).map(([k, v]) => [s(k), v])),
      s(sp.type),
    ]),
  );
  return encode([strings, encoded]);
}

export async function put(
  url: string,
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = { 'content-type': 'application/msgpack' },
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url + path, {
    method: 'PUT',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

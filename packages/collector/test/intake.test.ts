import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode } from '../src/msgpack.js';
import { type Collector, startCollector } from '../src/server.js';
import { openStore } from '../src/store/open.js';
import {
  dotnetSpan,
  javaSpan,
  msgpackTraces,
  nodeSpan,
  put,
  pythonSpan,
  v05Traces,
} from './helpers/payloads.js';
import { BACKENDS } from './helpers/stores.js';

// The intake on each store: "nothing stored half" is a property of the transaction on both.
for (const backend of BACKENDS)
  describe(`intake on ${backend.name}`, () => {
    let collector: Collector;
    let cleanup: () => Promise<void>;

    before(async () => {
      const opened = await backend.open();
      cleanup = opened.cleanup;
      collector = await startCollector({
        port: 0,
        store: opened.store,
        uiDir: null,
        maxPayloadBytes: 256 * 1024,
      });
    });
    after(async () => {
      await collector.close();
      await cleanup();
    });

    const total = async () => (await collector.store.list({})).total;

    it('answers /info like the Datadog Agent, with span_meta_structs', async () => {
      const res = await fetch(`${collector.url}/info`);
      assert.equal(res.status, 200);
      const info = (await res.json()) as { endpoints: string[]; span_meta_structs: boolean; version: string };
      assert.equal(info.span_meta_structs, true);
      assert.ok(info.endpoints.includes('/v0.4/traces'));
      assert.ok(info.endpoints.includes('/v0.5/traces'));
      assert.match(info.version, /sluice-collector/);
    });

    it('stores a Node.js tracer span (v0.4 msgpack, _dd.iast.json, _dd.stack)', async () => {
      const res = await put(collector.url, '/v0.4/traces', msgpackTraces([[nodeSpan()]]), {
        'content-type': 'application/msgpack',
        'datadog-meta-lang': 'nodejs',
        'datadog-meta-tracer-version': '5.1.0',
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        rate_by_service: { 'service:,env:': 1, 'service:shop-node,env:prod': 1 },
      });
      const page = await collector.store.list({ service: ['shop-node'] });
      assert.equal(page.total, 2);
      const sqli = page.items.find((f) => f.type === 'SQL_INJECTION');
      assert.ok(sqli);
      assert.equal(sqli.severity, 'critical');
      assert.equal(sqli.cwe, 89);
      assert.deepEqual(sqli.location, {
        path: 'routes/search.js',
        line: 17,
        column: 9,
        method: 'search',
        class: null,
      });
      const detail = await collector.store.get(sqli.id);
      assert.ok(detail);
      assert.deepEqual(detail.sources, [
        { origin: 'http.request.parameter', name: 'q', value: "' OR 1=1 --" },
      ]);
      assert.equal(detail.evidence.valueParts?.[1]?.source, 0);
      assert.equal(detail.stack.length, 2);
      assert.deepEqual(detail.stack[1], {
        file: '/srv/shop/app.js',
        line: 30,
        column: 3,
        function: 'handle',
        class: 'Router',
      });
      assert.deepEqual(detail.request, {
        method: 'GET',
        route: '/search',
        url: 'http://shop.local/search?q=abc',
      });
      assert.deepEqual(detail.tracer, { language: 'nodejs', version: '5.1.0' });
      assert.deepEqual(
        detail.versions.map((v) => [v.version, v.occurrences]),
        [['1.0.0', 1]],
      );
    });

    it('stores a Java tracer span: class-name paths, redacted parts, MAX_SIZE_EXCEEDED, 64-bit ids', async () => {
      const res = await put(collector.url, '/v0.4/traces', msgpackTraces([[javaSpan()]]), {
        'content-type': 'application/msgpack',
        'datadog-meta-lang': 'java',
      });
      assert.equal(res.status, 200);
      const page = await collector.store.list({ service: ['shop-java'] });
      assert.equal(page.total, 2);
      const sqli = page.items.find((f) => f.type === 'SQL_INJECTION');
      assert.ok(sqli);
      assert.equal(sqli.location.path, 'com.acme.shop.web.UserController');
      assert.equal(sqli.location.class, 'com.acme.shop.web.UserController');
      assert.equal(sqli.location.method, 'findUser');
      const detail = await collector.store.get(sqli.id);
      assert.ok(detail);
      assert.deepEqual(detail.sources[0], {
        origin: 'http.request.header',
        name: 'authorization',
        redacted: true,
        pattern: 'abcdefghij',
      });
      assert.deepEqual(detail.evidence.valueParts?.[1], { source: 0, redacted: true, pattern: 'abcdefghij' });
      assert.equal(detail.evidence.valueParts?.[3]?.source, 1);
      assert.ok(!JSON.stringify(detail).includes('Bearer'), 'redacted values stay redacted');
      const cmdi = page.items.find((f) => f.type === 'COMMAND_INJECTION');
      assert.ok(cmdi);
      const cmdiDetail = await collector.store.get(cmdi.id);
      assert.equal(cmdiDetail?.evidence.truncated, true);
      assert.match(cmdi.evidenceSnippet, /too large/);
      assert.equal(cmdiDetail?.tracer.language, 'java');
    });

    it('stores a Python tracer span with the report in meta_struct["iast"]', async () => {
      const res = await put(collector.url, '/v0.4/traces', msgpackTraces([[pythonSpan()]]), {
        'content-type': 'application/msgpack',
        'datadog-meta-lang': 'python',
      });
      assert.equal(res.status, 200);
      const page = await collector.store.list({ service: ['shop-python'] });
      assert.equal(page.total, 1);
      const detail = await collector.store.get(page.items[0]?.id ?? -1);
      assert.equal(detail?.type, 'PATH_TRAVERSAL');
      assert.equal(detail?.severity, 'high');
      assert.equal(detail?.sources[0]?.name, 'filename');
      assert.equal(detail?.stack[0]?.file, 'shop/views/files.py');
    });

    it('stores a .NET tracer span (meta_struct iast, spanId as string, no line)', async () => {
      const res = await put(collector.url, '/v0.4/traces', msgpackTraces([[dotnetSpan()]]), {
        'content-type': 'application/msgpack',
        'datadog-meta-lang': 'dotnet',
      });
      assert.equal(res.status, 200);
      const page = await collector.store.list({ service: ['shop-dotnet'] });
      assert.deepEqual(page.items.map((f) => f.type).sort(), ['INSECURE_COOKIE', 'WEAK_CIPHER']);
      const cookie = page.items.find((f) => f.type === 'INSECURE_COOKIE');
      assert.equal(cookie?.location.line, null);
      assert.equal(cookie?.location.class, 'Acme.Shop.Controllers.LoginController');
    });

    it('accepts v0.5 string-table payloads and JSON v0.4 payloads', async () => {
      const before = await total();
      const v05 = await put(collector.url, '/v0.5/traces', v05Traces([[nodeSpan({ service: 'v05-svc' })]]));
      assert.equal(v05.status, 200);
      const json = await put(
        collector.url,
        '/v0.4/traces',
        JSON.stringify([
          [{ ...nodeSpan({ service: 'json-svc' }), meta_struct: undefined, trace_id: 1, span_id: 2 }],
        ]),
        {
          'content-type': 'application/json',
        },
      );
      assert.equal(json.status, 200);
      assert.equal(await total(), before + 4);
      assert.equal((await collector.store.list({ service: ['v05-svc'] })).total, 2);
    });

    it('counts a repeated sighting as an occurrence of the same finding', async () => {
      const span = nodeSpan({ service: 'repeat-svc', payload: 'first' });
      await put(collector.url, '/v0.4/traces', msgpackTraces([[span]]));
      // A different attack value at the same code location is the same finding.
      await put(
        collector.url,
        '/v0.4/traces',
        msgpackTraces([[nodeSpan({ service: 'repeat-svc', payload: 'second', version: '1.1.0' })]]),
      );
      const page = await collector.store.list({ service: ['repeat-svc'], type: ['SQL_INJECTION'] });
      assert.equal(page.total, 1);
      assert.equal(page.items[0]?.occurrences, 2);
      const detail = await collector.store.get(page.items[0]?.id ?? -1);
      assert.deepEqual(detail?.versions.map((v) => v.version).sort(), ['1.0.0', '1.1.0']);
      assert.equal(detail?.sources[0]?.value, 'second', 'the latest evidence is kept');
    });

    it('takes empty payloads and spans without IAST data', async () => {
      const plain = nodeSpan({ service: 'plain' });
      delete plain.meta['_dd.iast.json'];
      delete plain.meta_struct;
      assert.equal((await put(collector.url, '/v0.4/traces', msgpackTraces([[plain]]))).status, 200);
      assert.equal((await put(collector.url, '/v0.4/traces', msgpackTraces([]))).status, 200);
      assert.equal((await put(collector.url, '/v0.4/traces', Buffer.alloc(0))).status, 200);
      assert.equal((await collector.store.list({ service: ['plain'] })).total, 0);
    });

    describe('malformed, truncated, oversized and hostile payloads', () => {
      const rejects = async (
        name: string,
        body: Buffer | string,
        status: number,
        code: string,
        path = '/v0.4/traces',
        headers?: Record<string, string>,
      ) => {
        const before = await total();
        const rejectedBefore = collector.intake.stats.rejected;
        const res = await put(collector.url, path, body, headers);
        assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
        const err = (res.body as { error: { code: string; message: string } }).error;
        assert.equal(err.code, code, name);
        assert.ok(err.message.length > 5, `${name}: a reason is given`);
        assert.equal(await total(), before, `${name}: nothing stored`);
        assert.equal(collector.intake.stats.rejected, rejectedBefore + 1, `${name}: counted`);
      };

      it('rejects garbage, truncation and wrong shapes with 400 and a reason', async () => {
        const good = msgpackTraces([[nodeSpan({ service: 'never-stored' })]]);
        await rejects('garbage', Buffer.from([0xc1, 0x00, 0x01]), 400, 'SLC_ERR_INTAKE_MALFORMED');
        await rejects('truncated', good.subarray(0, good.length - 10), 400, 'SLC_ERR_INTAKE_MALFORMED');
        await rejects(
          'trailing bytes',
          Buffer.concat([good, Buffer.from([0x01])]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
        );
        await rejects('not an array', encode({ a: 1 }), 400, 'SLC_ERR_INTAKE_MALFORMED');
        await rejects('span not a map', encode([[1, 2, 3]]), 400, 'SLC_ERR_INTAKE_MALFORMED');
        await rejects(
          'meta of wrong type',
          encode([[{ service: 's', meta: { a: [1, 2] } }]]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
        );
        await rejects(
          'service of wrong type',
          encode([[{ service: { x: 1 } }]]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
        );
        await rejects(
          'lying array length',
          Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff, 0x90]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
        );
        await rejects(
          'lying string length',
          Buffer.from([
            0x91, 0x91, 0x81, 0xa7, 0x73, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0xdb, 0x7f, 0xff, 0xff, 0xff,
            0x61,
          ]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
        );
        await rejects('invalid JSON', '[[{"service": ', 400, 'SLC_ERR_INTAKE_MALFORMED', '/v0.4/traces', {
          'content-type': 'application/json',
        });
        await rejects(
          'bad v0.5 index',
          encode([['a'], [[[0, 1, 0, 1, 2, 0, 0, 0, 0, {}, {}, 0]]]]),
          400,
          'SLC_ERR_INTAKE_MALFORMED',
          '/v0.5/traces',
        );
        await rejects(
          'unsupported media type',
          good,
          415,
          'SLC_ERR_INTAKE_UNSUPPORTED_MEDIA_TYPE',
          '/v0.4/traces',
          { 'content-type': 'text/plain' },
        );
      });

      it('rejects invalid IAST reports and stores none of the payload', async () => {
        const good = nodeSpan({ service: 'half' });
        const bad = nodeSpan({ service: 'half2' });
        bad.meta['_dd.iast.json'] = '{"vulnerabilities": [{"type": 42}]}';
        await rejects('wrong type name', msgpackTraces([[good, bad]]), 400, 'SLC_ERR_INTAKE_IAST_INVALID');
        bad.meta['_dd.iast.json'] = '{"vulnerabilities": ';
        await rejects(
          'truncated JSON report',
          msgpackTraces([[good], [bad]]),
          400,
          'SLC_ERR_INTAKE_IAST_INVALID',
        );
        bad.meta['_dd.iast.json'] =
          '{"vulnerabilities": [{"type":"XSS","evidence":{"valueParts":[{"value":"x","source":3}]}}]}';
        await rejects(
          'dangling source index',
          msgpackTraces([[good, bad]]),
          400,
          'SLC_ERR_INTAKE_IAST_INVALID',
        );
        bad.meta['_dd.iast.json'] = '{"vulnerabilities": "all of them"}';
        await rejects(
          'vulnerabilities not an array',
          msgpackTraces([[good, bad]]),
          400,
          'SLC_ERR_INTAKE_IAST_INVALID',
        );
        const badStruct = nodeSpan({ service: 'half3' });
        badStruct.meta_struct = { iast: Buffer.from([0x82, 0xa1]) };
        await rejects(
          'truncated meta_struct iast',
          msgpackTraces([[good, badStruct]]),
          400,
          'SLC_ERR_INTAKE_IAST_INVALID',
        );
        assert.equal(
          (await collector.store.list({ service: ['half'] })).total,
          0,
          'the valid span of a rejected payload is not stored',
        );
      });

      it('rejects deep nesting without a stack overflow', async () => {
        // 100,000 nested one-element arrays: a recursive decoder without a bound would overflow.
        const deep = Buffer.alloc(100_001, 0x91);
        deep[100_000] = 0xc0;
        await rejects('deep msgpack', deep, 400, 'SLC_ERR_INTAKE_MALFORMED');
        const deepJson = nodeSpan({ service: 'deep-json' });
        deepJson.meta['_dd.iast.json'] = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
        await rejects('deep JSON report', msgpackTraces([[deepJson]]), 400, 'SLC_ERR_INTAKE_IAST_INVALID');
      });

      it('refuses oversized payloads with 413, by header and while streaming', async () => {
        await rejects('oversized', Buffer.alloc(300 * 1024, 0x90), 413, 'SLC_ERR_INTAKE_TOO_LARGE');
        // Chunked upload without content-length: the limit applies while reading.
        const before = collector.intake.stats.rejected;
        const body = new ReadableStream({
          start(controller) {
            for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(16 * 1024));
            controller.close();
          },
        });
        const res = await fetch(`${collector.url}/v0.4/traces`, {
          method: 'PUT',
          body,
          duplex: 'half',
        } as RequestInit);
        assert.equal(res.status, 413);
        assert.equal(collector.intake.stats.rejected, before + 1);
      });

      it('cuts huge strings inside a report instead of storing them whole', async () => {
        const span = nodeSpan({ service: 'huge' });
        const huge = 'A'.repeat(100 * 1024);
        span.meta['_dd.iast.json'] = JSON.stringify({
          sources: [{ origin: 'http.request.body', name: 'b', value: huge }],
          vulnerabilities: [
            {
              type: 'XSS',
              evidence: { valueParts: [{ value: huge, source: 0 }] },
              location: { path: 'x.js', line: 1 },
            },
          ],
        });
        assert.equal((await put(collector.url, '/v0.4/traces', msgpackTraces([[span]]))).status, 200);
        const page = await collector.store.list({ service: ['huge'] });
        const detail = await collector.store.get(page.items[0]?.id ?? -1);
        assert.ok((detail?.sources[0]?.value?.length ?? 0) <= 4096);
        assert.ok((detail?.evidence.valueParts?.[0]?.value?.length ?? 0) <= 8192);
        assert.equal(detail?.evidence.valueParts?.[0]?.truncated, true);
      });

      it('keeps serving after all of that', async () => {
        const res = await put(
          collector.url,
          '/v0.4/traces',
          msgpackTraces([[nodeSpan({ service: 'still-alive' })]]),
        );
        assert.equal(res.status, 200);
        assert.ok(collector.intake.stats.rejectedByCode.SLC_ERR_INTAKE_MALFORMED);
        const health = (await (await fetch(`${collector.url}/api/health`)).json()) as {
          ok: boolean;
          intake: { rejected: number };
        };
        assert.equal(health.ok, true);
        assert.ok(health.intake.rejected >= 15);
      });

      it('answers unknown paths and wrong methods with coded errors', async () => {
        const r1 = await fetch(`${collector.url}/v0.4/traces`);
        assert.equal(r1.status, 405);
        assert.equal(
          ((await r1.json()) as { error: { code: string } }).error.code,
          'SLC_ERR_METHOD_NOT_ALLOWED',
        );
        const r2 = await fetch(`${collector.url}/v0.7/config`, { method: 'POST', body: '{}' });
        assert.equal(r2.status, 404);
        assert.equal(((await r2.json()) as { error: { code: string } }).error.code, 'SLC_ERR_NOT_FOUND');
      });
    });
  });

describe('two collectors behind a load balancer, one PostgreSQL', () => {
  it('count every sighting once, whichever collector received it', async () => {
    const pg = BACKENDS[1];
    if (!pg) throw new Error('no postgres backend');
    const opened = await pg.open();
    const other = await openStore({ url: opened.url, schema: opened.schema as string });
    const a = await startCollector({ port: 0, store: opened.store, uiDir: null, autoCloseAfterMs: 0 });
    const b = await startCollector({ port: 0, store: other, uiDir: null, autoCloseAfterMs: 0 });
    try {
      const sends = [];
      for (let i = 0; i < 16; i++) {
        const target = i % 2 ? b : a;
        sends.push(
          put(target.url, '/v0.4/traces', msgpackTraces([[nodeSpan({ service: 'lb', payload: `p${i}` })]])),
        );
      }
      const results = await Promise.all(sends);
      assert.deepEqual(
        results.map((r) => r.status),
        Array(16).fill(200),
      );
      const page = await a.store.list({ service: ['lb'] });
      assert.equal(page.total, 2);
      assert.deepEqual(
        page.items.map((f) => f.occurrences),
        [16, 16],
      );
      const fromB = await (await fetch(`${b.url}/api/findings?service=lb`)).json();
      assert.equal((fromB as { total: number }).total, 2, 'both collectors serve the same findings');
    } finally {
      await a.close();
      await b.close();
      await other.close();
      await opened.cleanup();
    }
  });
});

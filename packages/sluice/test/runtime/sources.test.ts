// Sources: request data is tainted with its origin and (dotted) name, for plain http and
// real Express 4 and 5 apps (with body parsers, cookie-parser and multer) in this process.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Agent } from '../../src/agent.js';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/errors.js';
import type { Range } from '../../src/taint/types.js';
import { recordSourceCoverage } from '../sinks/coverage.js';

type Ranges = readonly Range[] | undefined;
interface Req {
  params: Record<string, string>;
  query: { q: string; filter?: { name: string } };
  cookies: Record<string, string>;
  body: unknown;
}
interface Res {
  send(body: string): void;
}
type Body = { user: { address: string[] }; name: string; comment: string; title: string };
interface Seen {
  [key: string]: Ranges;
}

function source(ranges: Ranges): { origin: string; name: string; value: string } | undefined {
  const r = ranges?.[0];
  return r ? { origin: r.source.origin, name: r.source.name, value: r.source.value } : undefined;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  return new Promise<string>((resolve, reject) => {
    const req = http.request(
      { port, host: '127.0.0.1', path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => resolve(data));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

// Each engine in turn: the agent is started and stopped twice in this process, which also
// exercises enable, disable, enable of every hook.
for (const choice of ['native', 'js'] as const) {
  describe(`sources with the ${choice} engine`, () => {
    let agent: Agent;
    before(() => {
      const config = readConfig(
        { SLUICE_IAST_ENABLED: 'true', SLUICE_IAST_ENGINE: choice, DD_TRACE_AGENT_URL: 'http://127.0.0.1:9' },
        () => {},
      );
      agent = new Agent(config, createLogger('off')).start();
      assert.equal(agent.engine?.kind, choice);
    });
    after(() => agent.stop());
    test(`${choice} engine: plain http: header values and names, and the URL`, async () => {
      let seen: Seen = {};
      const server = http.createServer((req, res) => {
        const engine = agent.engine;
        assert.ok(engine);
        const nameIndex = req.rawHeaders.findIndex((h) => h.toLowerCase() === 'x-token');
        seen = {
          header: engine.getRanges(req.headers['x-token']),
          headerName: engine.getRanges(req.rawHeaders[nameIndex]),
          url: engine.getRanges(req.url),
        };
        res.end('ok');
      });
      const port = await listen(server);
      await send(port, '/path?q=1', { headers: { 'X-Token': 'abc' } });
      server.close();
      assert.deepEqual(source(seen.header), { origin: 'http.request.header', name: 'x-token', value: 'abc' });
      assert.deepEqual(source(seen.headerName), {
        origin: 'http.request.header.name',
        name: 'x-token',
        value: 'X-Token',
      });
      assert.deepEqual(source(seen.url), { origin: 'http.request.uri', name: 'url', value: '/path?q=1' });
    });

    for (const name of ['express4', 'express5'] as const) {
      const covered = (...sources: string[]) => {
        for (const source of sources)
          recordSourceCoverage({ library: 'express', installedAs: name, importer: 'cjs', source });
      };
      describe(`${choice} engine: ${name}`, () => {
        let server: http.Server;
        let port: number;
        let seen: Seen = {};
        before(async () => {
          const express = require(name);
          const cookieParser = require('cookie-parser');
          const multer = require('multer');
          const app = express();
          app.use(express.json());
          app.use(express.urlencoded({ extended: true }));
          app.use(express.text());
          app.use(cookieParser());
          const engine = () => {
            assert.ok(agent.engine);
            return agent.engine;
          };
          app.get('/items/:itemId', (req: Req, res: Res) => {
            const e = engine();
            seen = {
              param: e.getRanges(req.params.itemId),
              query: e.getRanges(req.query.q),
              nestedQuery: e.getRanges(req.query.filter?.name),
              queryAgain: e.getRanges(req.query.q),
              cookie: e.getRanges(req.cookies.sid),
            };
            res.send('ok');
          });
          app.post('/json', (req: Req, res: Res) => {
            const body = req.body as Body;
            seen = { deep: engine().getRanges(body.user.address[0]), top: engine().getRanges(body.name) };
            res.send('ok');
          });
          app.post('/form', (req: Req, res: Res) => {
            seen = { field: engine().getRanges((req.body as Body).comment) };
            res.send('ok');
          });
          app.post('/text', (req: Req, res: Res) => {
            seen = { text: engine().getRanges(req.body) };
            res.send('ok');
          });
          app.post('/upload', multer().none(), (req: Req, res: Res) => {
            seen = { field: engine().getRanges((req.body as Body).title) };
            res.send('ok');
          });
          server = http.createServer(app);
          port = await listen(server);
        });
        after(() => server.close());

        test(`${name}: route params, query (nested), cookies`, async () => {
          await send(port, '/items/42?q=term&filter[name]=bob', { headers: { cookie: 'sid=s3ss; other=x' } });
          assert.deepEqual(source(seen.param), {
            origin: 'http.request.path.parameter',
            name: 'itemId',
            value: '42',
          });
          assert.deepEqual(source(seen.query), {
            origin: 'http.request.parameter',
            name: 'q',
            value: 'term',
          });
          assert.deepEqual(source(seen.queryAgain), {
            origin: 'http.request.parameter',
            name: 'q',
            value: 'term',
          });
          assert.deepEqual(source(seen.cookie), {
            origin: 'http.request.cookie.value',
            name: 'sid',
            value: 's3ss',
          });
          if (name === 'express4') {
            // express 4's default "extended" query parser nests brackets.
            assert.deepEqual(source(seen.nestedQuery), {
              origin: 'http.request.parameter',
              name: 'filter.name',
              value: 'bob',
            });
          }
          covered('req.params', 'req.query', 'req.cookies');
        });

        test(`${name}: JSON body tainted deeply with dotted names`, async () => {
          await send(port, '/json', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'n', user: { address: ['Main St'] } }),
          });
          assert.deepEqual(source(seen.deep), {
            origin: 'http.request.body',
            name: 'user.address.0',
            value: 'Main St',
          });
          assert.deepEqual(source(seen.top), { origin: 'http.request.body', name: 'name', value: 'n' });
          covered('req.body (JSON)');
        });

        test(`${name}: urlencoded and text bodies`, async () => {
          await send(port, '/form', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'comment=hello+there',
          });
          assert.deepEqual(source(seen.field), {
            origin: 'http.request.body',
            name: 'comment',
            value: 'hello there',
          });
          await send(port, '/text', {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'raw text',
          });
          assert.deepEqual(source(seen.text), { origin: 'http.request.body', name: '', value: 'raw text' });
          covered('req.body (urlencoded)', 'req.body (text)');
        });

        test(`${name}: multipart fields (multer)`, async () => {
          const boundary = 'XyZ123';
          const body = `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nMy title\r\n--${boundary}--\r\n`;
          await send(port, '/upload', {
            method: 'POST',
            headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
            body,
          });
          assert.deepEqual(source(seen.field), {
            origin: 'http.request.multipart.parameter',
            name: 'title',
            value: 'My title',
          });
          covered('req.body (multer fields)');
        });
      });
    }
  });
}

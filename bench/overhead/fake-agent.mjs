// An in-process stand-in for the Datadog Agent on 127.0.0.1:<ephemeral>. Accepts trace
// payloads (PUT/POST /v0.4/traces, /v0.5/traces) and counts them without decoding (spans
// carrying IAST findings are counted by the `_dd.iast.json` tag name in the msgpack); answers
// GET /info; answers dd-trace's other calls (telemetry, remote config, EVP proxy, stats) with
// a quick 200/404 so that no client waits on it.
import http from 'node:http';

const IAST_TAG = Buffer.from('_dd.iast.json');

function occurrences(buffer, needle) {
  let n = 0;
  for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + needle.length)) n++;
  return n;
}

export async function startFakeAgent() {
  const counters = { traces: 0, payloads: 0, bytes: 0, iastSpans: 0, other: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => {
      chunks.push(chunk);
    });
    req.on('end', () => {
      const path = req.url.split('?')[0];
      if (/^\/v0\.[45]\/traces$/.test(path)) {
        const body = Buffer.concat(chunks);
        counters.payloads++;
        counters.bytes += body.length;
        counters.iastSpans += occurrences(body, IAST_TAG);
        counters.traces += Number(req.headers['x-datadog-trace-count'] ?? 0);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate_by_service":{}}');
      } else if (path === '/info') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version: 'fake', endpoints: ['/v0.4/traces'], client_drop_p0s: false }));
      } else {
        counters.other++;
        res.writeHead(path.startsWith('/telemetry') || path.startsWith('/v0.6/stats') ? 202 : 404);
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Counters since the last call (each mode starts from zero). */
    take() {
      const snapshot = { ...counters };
      for (const key of Object.keys(counters)) counters[key] = 0;
      return snapshot;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

// End to end: request sampling. A request left out is not analysed at all (no span, no
// finding, not even an outside-request one for code it runs); code outside every request is.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { APPS, iastOf, lineOf, type RunningApp, request, startApp, TestAgent } from './helpers.js';

const APP = path.join(APPS, 'sampling-app.cjs');
const agent = new TestAgent();
let app: RunningApp;

before(async () => {
  const url = await agent.start();
  app = await startApp('sampling-app.cjs', {
    env: {
      DD_TRACE_AGENT_URL: url,
      // Sampling by counting: of each two requests, the first is left out, the second analysed.
      SLUICE_IAST_REQUEST_SAMPLING: '50',
      SLUICE_IAST_DEDUPLICATION_ENABLED: 'false',
    },
  });
});

after(async () => {
  assert.equal(await app.stop(), 0, app.stderr);
  await agent.stop();
});

const findingsOfType = (type: string) =>
  agent.spans.flatMap((span) =>
    iastOf(span)
      .vulnerabilities.filter((v) => v.type === type)
      .map((v) => ({ span, v })),
  );

test('sampling: findings of a request left out are not reported, those of an analysed one are', async () => {
  const startup = await agent.waitFor((s) => s.type === 'vulnerability');
  assert.equal(iastOf(startup).vulnerabilities[0]?.location.line, lineOf(APP, '@STARTUP_HASH'));

  assert.equal((await request(app.port, '/hash')).status, 200); // left out
  assert.equal((await request(app.port, '/hash')).status, 200); // analysed
  const analysed = await agent.waitForRequest('/hash');
  // One more flush: anything the left-out request had reported would have arrived by now.
  await new Promise((r) => setTimeout(r, 1500));

  const webSpans = agent.spans.filter((s) => s.type === 'web');
  assert.equal(webSpans.length, 1, 'only the analysed request has a span');
  const hashes = findingsOfType('WEAK_HASH').filter(
    ({ v }) => v.location.line === lineOf(APP, '@REQUEST_HASH'),
  );
  assert.equal(hashes.length, 1, JSON.stringify(hashes.map(({ span }) => span.type)));
  assert.equal(hashes[0]?.span, analysed);
  const cookies = findingsOfType('INSECURE_COOKIE');
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0]?.span, analysed);
});

test('sampling: code that runs after every request has ended is reported outside any request', async () => {
  assert.equal((await request(app.port, '/later')).status, 200); // left out
  const later = await agent.waitFor((s) =>
    iastOf(s).vulnerabilities.some((v) => v.location.line === lineOf(APP, '@LATER_HASH')),
  );
  assert.equal(later.type, 'vulnerability');
});

// HARDCODED_SECRET / HARDCODED_PASSWORD: literals the rewriter sees at load time are reported
// outside any request, on spans of type `vulnerability`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { APPS, iastOf, lineOf, startApp, TestAgent } from './helpers.js';

test('hardcoded secret and password: reported at the literal, evidence is the rule or name', async () => {
  const agent = new TestAgent();
  const url = await agent.start();
  const app = await startApp('secrets-app.cjs', { env: { DD_TRACE_AGENT_URL: url } });
  const file = path.join(APPS, 'secrets-app.cjs');
  try {
    const secret = await agent.waitFor(
      (s) =>
        s.type === 'vulnerability' && iastOf(s).vulnerabilities.some((v) => v.type === 'HARDCODED_SECRET'),
    );
    const s = iastOf(secret).vulnerabilities[0];
    assert.equal(secret.name, 'vulnerability');
    assert.equal(secret.metrics['_dd.iast.enabled'], 1);
    assert.equal(s?.location.path, 'secrets-app.cjs');
    assert.equal(s?.location.line, lineOf(file, '@HARDCODED_SECRET'));
    assert.equal(s?.evidence.value, 'github-pat');
    const password = await agent.waitFor((x) =>
      iastOf(x).vulnerabilities.some((v) => v.type === 'HARDCODED_PASSWORD'),
    );
    const p = iastOf(password).vulnerabilities.find((v) => v.type === 'HARDCODED_PASSWORD');
    assert.equal(p?.location.line, lineOf(file, '@HARDCODED_PASSWORD'));
    assert.equal(p?.evidence.value, 'dbPassword');
    // Let the exporter run once more: the placeholder and the prose are not reported.
    await new Promise((r) => setTimeout(r, 1500));
    const all = agent.spans.flatMap((x) => iastOf(x).vulnerabilities);
    assert.equal(all.filter((v) => v.type === 'HARDCODED_PASSWORD').length, 1);
    assert.equal(all.filter((v) => v.type === 'HARDCODED_SECRET').length, 1);
    assert.ok(
      !JSON.stringify(agent.spans.map((x) => x.meta)).includes('Tr0ub4dor'),
      'the password never leaves',
    );
  } finally {
    await app.stop();
    await agent.stop();
  }
});

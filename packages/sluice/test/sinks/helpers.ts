/** Shared by the sink tests: the sink fixtures, and the findings of one request's span. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before } from 'node:test';
import {
  type IastVulnerability,
  INIT,
  iastOf,
  PACKAGE_DIR,
  type RunningApp,
  request,
  startApp,
  TestAgent,
} from '../e2e/helpers.js';

export const SINK_APPS = path.join(PACKAGE_DIR, 'test/fixtures/sinks');

/**
 * Starts a sink fixture under Sluice (`--import` for an ES module, `--require` otherwise),
 * reporting to `agentUrl`, with every finding shown whole: without deduplication, a sink
 * reached twice for one call (a library over another) would show as two findings, which the
 * tests assert never happens.
 */
export function startSinkApp(
  file: string,
  agentUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  return startApp(path.join(SINK_APPS, file), {
    preload: [file.endsWith('.mjs') ? '--import' : '--require', INIT],
    cwd: SINK_APPS,
    env: {
      DD_TRACE_AGENT_URL: agentUrl,
      SLUICE_IAST_REDACTION_ENABLED: 'false',
      SLUICE_IAST_DEDUPLICATION_ENABLED: 'false',
      ...env,
    },
  });
}

/** The suite's test agent and its app (startSinkApp), started before and stopped after; the app must exit 0. */
export function useSinkApp(
  file: string,
  env: Record<string, string> = {},
): { source: string; agent: TestAgent; state: { app?: RunningApp } } {
  const agent = new TestAgent();
  const state: { app?: RunningApp } = {};
  before(async () => {
    state.app = await startSinkApp(file, await agent.start(), env);
  });
  after(async () => {
    assert.equal(await state.app?.stop(), 0, state.app?.stderr);
    await agent.stop();
  });
  return { source: path.join(SINK_APPS, file), agent, state };
}

export interface RequestFindings {
  readonly status: number;
  readonly body: string;
  readonly sources: Array<Record<string, unknown>>;
  readonly vulnerabilities: IastVulnerability[];
}

/** Requests `urlPath` and returns the findings its span carries, by type if given. */
export async function findingsOf(
  agent: TestAgent,
  port: number,
  urlPath: string,
  type?: string,
): Promise<RequestFindings> {
  // Only spans that arrive after this request is sent: a route may be requested twice.
  const known = new Set(agent.spans);
  const res = await request(port, urlPath);
  const pathOnly = urlPath.split('?')[0] as string;
  const span = await agent.waitFor(
    (s) => !known.has(s) && s.type === 'web' && (s.meta['http.url'] ?? '').endsWith(pathOnly),
  );
  const iast = iastOf(span);
  return {
    status: res.status,
    body: res.body.toString(),
    sources: iast.sources,
    vulnerabilities: iast.vulnerabilities.filter((v) => type === undefined || v.type === type),
  };
}

/** The single finding of `type`, with the given location line and evidence parts. */
export function assertOne(
  found: RequestFindings,
  expected: { path: string; line: number; valueParts: unknown[]; sources?: unknown[] },
): IastVulnerability {
  assert.equal(found.vulnerabilities.length, 1, JSON.stringify(found));
  const v = found.vulnerabilities[0] as IastVulnerability;
  assert.equal(v.location.path, expected.path);
  assert.equal(v.location.line, expected.line);
  assert.deepEqual(v.evidence.valueParts, expected.valueParts);
  if (expected.sources) assert.deepEqual(found.sources, expected.sources);
  return v;
}

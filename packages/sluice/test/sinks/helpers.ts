/** Shared by the sink tests: the sink fixtures, and the findings of one request's span. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { type IastVulnerability, iastOf, PACKAGE_DIR, request, type TestAgent } from '../e2e/helpers.js';

export const SINK_APPS = path.join(PACKAGE_DIR, 'test/fixtures/sinks');

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

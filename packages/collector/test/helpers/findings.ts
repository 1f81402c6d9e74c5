import type { FindingInput } from '../../src/model.js';

/** A FindingInput with sensible defaults; tests override what they exercise. */
export function finding(
  over: Partial<FindingInput> & { path?: string | null; line?: number | null } = {},
): FindingInput {
  const { path, line, ...rest } = over;
  return {
    service: 'svc',
    env: 'prod',
    version: '1.0.0',
    type: 'SQL_INJECTION',
    location: {
      path: path === undefined ? 'src/db.js' : path,
      line: line === undefined ? 10 : line,
      column: 3,
      method: 'query',
      class: null,
    },
    evidence: { valueParts: [{ value: 'SELECT ' }, { value: 'x', source: 0 }] },
    sources: [{ origin: 'http.request.parameter', name: 'id', value: 'x' }],
    stack: [],
    request: { method: 'GET', route: '/r', url: 'http://h/r' },
    tracer: { language: 'nodejs', version: '5.0.0' },
    hash: null,
    spanId: '1',
    traceId: '1',
    seenAt: Date.parse('2026-11-20T10:00:00Z'),
    ...rest,
  };
}

import type { FindingDetail } from '../model.js';

const COLUMNS = [
  'id',
  'fingerprint',
  'service',
  'env',
  'type',
  'severity',
  'cwe',
  'status',
  'path',
  'line',
  'method',
  'evidence',
  'sources',
  'occurrences',
  'firstSeen',
  'lastSeen',
] as const;

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(findings: FindingDetail[]): string {
  const lines = [COLUMNS.join(',')];
  for (const f of findings) {
    const row = {
      id: f.id,
      fingerprint: f.fingerprint,
      service: f.service,
      env: f.env,
      type: f.type,
      severity: f.severity,
      cwe: f.cwe,
      status: f.status,
      path: f.location.path,
      line: f.location.line,
      method: f.location.method,
      evidence: f.evidenceSnippet,
      sources: f.sources.map((s) => `${s.origin}:${s.name}`).join(' '),
      occurrences: f.occurrences,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
    };
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

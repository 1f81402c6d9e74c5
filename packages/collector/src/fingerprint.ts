import { createHash } from 'node:crypto';
import type { Evidence, FindingInput, SourceRef } from './model.js';

/**
 * A finding's identity across sightings: (service, env, type, where). "Where" is the code
 * location when the tracer gave one (path and line; the method when there is no line), so
 * that each new attack payload at the same line is an occurrence, not a new finding.
 * Without a location it is the evidence with the tainted parts replaced by their source
 * origin and name, which stays stable across different attacker input.
 */
export function normalisePath(path: string): string {
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p.replace(/\/{2,}/g, '/');
}

export function fingerprint(f: FindingInput): string {
  const { path, line, method } = f.location;
  let where: string;
  if (path) where = `loc:${normalisePath(path)}:${line ?? method ?? ''}`;
  else if (method) where = `method:${f.location.class ?? ''}.${method}`;
  else where = `evidence:${stableEvidence(f.evidence, f.sources)}`;
  return createHash('sha256').update([f.service, f.env, f.type, where].join('\0')).digest('hex').slice(0, 32);
}

function stableEvidence(e: Evidence, sources: SourceRef[]): string {
  if (e.valueParts) {
    return e.valueParts
      .map((p) => {
        if (p.source !== undefined) {
          const s = sources[p.source];
          return `{${s?.origin ?? ''}:${s?.name ?? ''}}`;
        }
        return p.redacted ? '{redacted}' : (p.value ?? '');
      })
      .join('');
  }
  return e.value ?? '';
}

/** A one-line preview of the evidence for lists; redacted parts show as asterisks. */
export function evidenceSnippet(e: Evidence, max = 160): string {
  let s: string;
  if (e.truncated && !e.value && !e.valueParts) s = '(evidence too large, dropped by the tracer)';
  else if (e.valueParts)
    s = e.valueParts.map((p) => (p.redacted ? (p.pattern ?? '****') : (p.value ?? ''))).join('');
  else s = e.value ?? '';
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

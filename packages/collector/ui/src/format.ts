// Words and numbers as a security engineer reads them. Pure functions, no DOM.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const STATUSES = ['open', 'in_progress', 'muted', 'fixed'] as const;

const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  in_progress: 'In progress',
  muted: 'Muted',
  fixed: 'Fixed',
};

const ACRONYMS = new Set(['SQL', 'SSRF', 'XSS', 'LDAP', 'HSTS', 'NOSQL', 'MONGODB']);
const SPELLING: Record<string, string> = {
  NOSQL: 'NoSQL',
  MONGODB: 'MongoDB',
  XCONTENTTYPE: 'X-Content-Type',
};

/** `SQL_INJECTION` → `SQL injection`, `NO_HTTPONLY_COOKIE` → `No httponly cookie`. */
export function typeLabel(type: string): string {
  const words = type.split('_').filter((w) => w !== '');
  return words
    .map((w, i) => {
      const spelled = SPELLING[w];
      if (spelled) return spelled;
      if (ACRONYMS.has(w)) return w;
      const lower = w.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(' ');
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? typeLabel(status.toUpperCase());
}

export function severityLabel(severity: string): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

/** Absolute time in the reader's zone, to the minute; invalid input is shown as given. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `3 min ago`, `5 h ago`, `12 d ago`, relative to `now`. */
export function ago(iso: string, now: number = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const sec = Math.max(0, Math.round((now - t) / 1000));
  if (sec < 60) return 'just now';
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min ago`;
  const hours = Math.round(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** `src/db.js:42:7` with whatever parts are known. */
export function locationText(loc: {
  path?: string | null | undefined;
  line?: number | null | undefined;
  column?: number | null | undefined;
}): string {
  let out = loc.path || '(unknown location)';
  if (loc.line !== undefined && loc.line !== null) {
    out += `:${loc.line}`;
    if (loc.column !== undefined && loc.column !== null) out += `:${loc.column}`;
  }
  return out;
}

export function cweLabel(cwe: number | string | null | undefined): string | null {
  if (cwe === null || cwe === undefined || cwe === '') return null;
  const s = String(cwe);
  return s.toUpperCase().startsWith('CWE-') ? s.toUpperCase() : `CWE-${s}`;
}

/** MITRE's page for a CWE number, or null for anything that is not one. */
export function cweUrl(cwe: number | string | null | undefined): string | null {
  const label = cweLabel(cwe);
  const m = label ? /^CWE-(\d+)$/.exec(label) : null;
  return m ? `https://cwe.mitre.org/data/definitions/${m[1]}.html` : null;
}

/** The collector's data model: what the intake produces and what the API returns. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Higher is more severe; stored so that sorting and `--fail-on` compare numbers. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export const STATUSES = ['open', 'in_progress', 'muted', 'fixed'] as const;
export type Status = (typeof STATUSES)[number];

export interface ValuePart {
  value?: string;
  /** Index into the finding's own `sources`. */
  source?: number;
  redacted?: boolean;
  pattern?: string;
  truncated?: boolean;
}

export interface Evidence {
  value?: string;
  valueParts?: ValuePart[];
  /** The tracer dropped the evidence because the report was too large (Java's MAX_SIZE_EXCEEDED). */
  truncated?: boolean;
}

export interface SourceRef {
  origin: string;
  name: string;
  value?: string;
  redacted?: boolean;
  pattern?: string;
}

export interface StackFrame {
  file: string;
  line: number | null;
  column: number | null;
  function: string | null;
  class: string | null;
}

export interface Location {
  path: string | null;
  line: number | null;
  column?: number | null;
  method?: string | null;
  class?: string | null;
}

export interface RequestInfo {
  method: string | null;
  route: string | null;
  url: string | null;
}

export interface TracerInfo {
  language: string | null;
  version: string | null;
}

/** One sighting of a vulnerability, as decoded from a span, before it is stored. */
export interface FindingInput {
  service: string;
  env: string;
  version: string;
  type: string;
  location: Location;
  evidence: Evidence;
  sources: SourceRef[];
  stack: StackFrame[];
  request: RequestInfo | null;
  tracer: TracerInfo;
  /** The tracer's own hash of the vulnerability, kept for reference only. */
  hash: string | null;
  spanId: string | null;
  traceId: string | null;
  /** Epoch milliseconds. */
  seenAt: number;
}

export interface FindingSummary {
  id: number;
  fingerprint: string;
  service: string;
  env: string;
  type: string;
  severity: Severity;
  cwe: number | null;
  status: Status;
  location: Location;
  evidenceSnippet: string;
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
}

export interface HistoryEntry {
  at: string;
  field: 'status';
  from: string | null;
  to: string;
  reason: string | null;
  actor: string;
}

export interface VersionStats {
  version: string;
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
}

export interface Remediation {
  title: string;
  summary: string;
  steps: string[];
  references: string[];
}

export interface FindingDetail extends FindingSummary {
  statusReason: string | null;
  evidence: Evidence;
  sources: SourceRef[];
  stack: StackFrame[];
  request?: RequestInfo;
  versions: VersionStats[];
  history: HistoryEntry[];
  remediation: Remediation;
  tracer: TracerInfo;
}

export interface FindingFilter {
  service?: string[];
  env?: string[];
  type?: string[];
  severity?: Severity[];
  status?: Status[];
  /** Path prefixes. */
  path?: string[];
  /** Free text, matched case-insensitively against type, path, method, evidence and service. */
  q?: string;
}

export const SORTS = ['lastSeen', '-lastSeen', 'severity', '-severity', 'firstSeen', '-firstSeen'] as const;
export type Sort = (typeof SORTS)[number];

export interface FindingPage {
  items: FindingSummary[];
  total: number;
  page: number;
  pageSize: number;
  counts: {
    bySeverity: Record<Severity, number>;
    byStatus: Record<Status, number>;
    byType: Record<string, number>;
  };
}

export interface Facets {
  services: string[];
  envs: string[];
  types: string[];
  paths: string[];
}

// The collector's REST API as the Explorer sees it (the agreed contract, see docs/explorer.md).
// Fields the Explorer does not rely on are left optional so that an older collector still renders.

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Status = 'open' | 'in_progress' | 'muted' | 'fixed';

export interface Location {
  /** Null when the tracer reported no location (some framework-level checks). */
  path: string | null;
  line?: number | null;
  column?: number | null;
  method?: string | null;
  class?: string | null;
}

export interface FindingSummary {
  id: string | number;
  fingerprint: string;
  service: string;
  env: string;
  type: string;
  severity: string;
  cwe?: number | string | null;
  status: string;
  location: Location;
  evidenceSnippet?: string | null;
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
}

export interface Counts {
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
}

export interface FindingPage {
  items: FindingSummary[];
  total: number;
  page: number;
  pageSize: number;
  counts: Counts;
}

export interface ValuePart {
  value?: string;
  source?: number;
  redacted?: boolean;
  pattern?: string;
  /** The collector cut this part to its size limit. */
  truncated?: boolean;
}

export interface Evidence {
  value?: string;
  valueParts?: ValuePart[];
  /** The tracer dropped the evidence of an over-large report (MAX_SIZE_EXCEEDED). */
  truncated?: boolean;
}

export interface SourceRef {
  origin: string;
  name?: string;
  value?: string;
  redacted?: boolean;
}

export interface StackFrame {
  file?: string | null;
  line?: number | null;
  column?: number | null;
  function?: string | null;
  class?: string | null;
}

export interface HistoryEntry {
  at: string;
  field: string;
  from: string | null;
  to: string;
  reason?: string | null;
  actor?: string | null;
}

export interface Remediation {
  title: string;
  summary: string;
  steps: string[];
  references: string[];
}

export interface FindingDetail extends FindingSummary {
  statusReason?: string | null;
  evidence: Evidence;
  sources: SourceRef[];
  stack: StackFrame[];
  request?: { method?: string | null; route?: string | null; url?: string | null } | null;
  versions: { version: string; occurrences: number; firstSeen: string; lastSeen: string }[];
  history: HistoryEntry[];
  remediation?: Remediation | null;
  tracer?: { language?: string; version?: string } | null;
}

export interface Facets {
  services: string[];
  envs: string[];
  types: string[];
  paths: string[];
}

export interface OccurrenceSeries {
  series: { at: string; count: number }[];
}

export interface SeverityPoint {
  at: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface OpenBySeverity {
  series: SeverityPoint[];
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

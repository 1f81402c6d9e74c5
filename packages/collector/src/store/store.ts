import { remediation, typeInfo } from '../catalog.js';
import { CollectorError } from '../errors.js';
import { evidenceSnippet, fingerprint } from '../fingerprint.js';
import {
  type Facets,
  type FindingDetail,
  type FindingFilter,
  type FindingInput,
  type FindingPage,
  type FindingSummary,
  type HistoryEntry,
  SEVERITIES,
  SEVERITY_RANK,
  type Severity,
  type Sort,
  STATUSES,
  type Status,
  type VersionStats,
} from '../model.js';
import type { Db, Row } from './db.js';
import { migrate } from './migrations.js';

export interface IngestResult {
  /** Sightings written (after merging duplicates within the batch). */
  findings: number;
  created: number;
  reopened: number;
}

export interface ListOptions {
  page?: number;
  pageSize?: number;
  sort?: Sort;
}

export const MAX_PAGE_SIZE = 500;
const HOUR = 3_600_000;
/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;
const DAY = 24 * HOUR;

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function parse<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

interface Merged {
  fp: string;
  latest: FindingInput;
  count: number;
  first: number;
  last: number;
  versions: Map<string, { count: number; first: number; last: number }>;
  hours: Map<number, number>;
}

function merge(inputs: FindingInput[]): Merged[] {
  const byFp = new Map<string, Merged>();
  for (const f of inputs) {
    const fp = fingerprint(f);
    let m = byFp.get(fp);
    if (!m) {
      m = { fp, latest: f, count: 0, first: f.seenAt, last: f.seenAt, versions: new Map(), hours: new Map() };
      byFp.set(fp, m);
    }
    m.count++;
    if (f.seenAt >= m.last) m.latest = f;
    m.first = Math.min(m.first, f.seenAt);
    m.last = Math.max(m.last, f.seenAt);
    const v = m.versions.get(f.version) ?? { count: 0, first: f.seenAt, last: f.seenAt };
    v.count++;
    v.first = Math.min(v.first, f.seenAt);
    v.last = Math.max(v.last, f.seenAt);
    m.versions.set(f.version, v);
    const hour = Math.floor(f.seenAt / HOUR) * HOUR;
    m.hours.set(hour, (m.hours.get(hour) ?? 0) + 1);
  }
  // A fixed order of row locks: two collectors ingesting overlapping batches cannot deadlock.
  return [...byFp.values()].sort((a, b) => (a.fp < b.fp ? -1 : a.fp > b.fp ? 1 : 0));
}

function searchText(f: FindingInput, snippet: string): string {
  return [
    f.type,
    f.service,
    f.env,
    f.location.path,
    f.location.method,
    f.location.class,
    snippet,
    ...f.sources.map((s) => `${s.origin} ${s.name}`),
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

const SUMMARY_COLUMNS =
  'id, fingerprint, service, env, type, severity, cwe, status, path, line, col, method, class, evidence_snippet, occurrences, first_seen, last_seen';

type Facet = 'service' | 'env' | 'type' | 'severity' | 'status' | 'path' | 'q';

/** The one store: the same SQL on SQLite and PostgreSQL, behind the Db interface. */
export class SqlStore {
  constructor(readonly db: Db) {}

  async migrate(): Promise<number[]> {
    return migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private least(a: string, b: string): string {
    return this.db.dialect === 'postgres' ? `LEAST(${a}, ${b})` : `min(${a}, ${b})`;
  }
  private greatest(a: string, b: string): string {
    return this.db.dialect === 'postgres' ? `GREATEST(${a}, ${b})` : `max(${a}, ${b})`;
  }
  private forUpdate(): string {
    return this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  }

  /** Stores one payload's findings in one transaction: all of them or none. */
  async ingest(inputs: FindingInput[]): Promise<IngestResult> {
    const merged = merge(inputs);
    const result: IngestResult = { findings: merged.length, created: 0, reopened: 0 };
    if (merged.length === 0) return result;
    await this.db.transaction(async (tx) => {
      // Round trips dominate on PostgreSQL: one locking SELECT for the whole batch, one
      // statement per finding row, and batched inserts for versions, buckets and history.
      const existing = new Map<string, { id: number; status: Status }>();
      for (let i = 0; i < merged.length; i += BATCH) {
        const fps = merged.slice(i, i + BATCH).map((m) => m.fp);
        const rows = await tx.all<{ id: number; fingerprint: string; status: Status }>(
          `SELECT id, fingerprint, status FROM findings WHERE fingerprint IN (${fps.map(() => '?').join(', ')})
           ORDER BY fingerprint${this.forUpdate()}`,
          fps,
        );
        for (const r of rows) existing.set(r.fingerprint, { id: Number(r.id), status: r.status });
      }
      const history: unknown[][] = [];
      const versions: unknown[][] = [];
      const hours: unknown[][] = [];
      const updates: [number, Merged, boolean][] = [];
      for (const m of merged) {
        let row = existing.get(m.fp);
        let id: number | undefined;
        if (!row) {
          id = await this.insertFinding(tx, m);
          if (id !== undefined) {
            result.created++;
            history.push([id, m.first, null, 'open', 'first seen', 'intake']);
          } else {
            // Another collector inserted it since our SELECT: lock it and update it instead.
            const again = await tx.all<{ id: number; status: Status }>(
              `SELECT id, status FROM findings WHERE fingerprint = ?${this.forUpdate()}`,
              [m.fp],
            );
            if (!again[0]) throw new Error(`finding ${m.fp} vanished during upsert`);
            row = { id: Number(again[0].id), status: again[0].status };
          }
        }
        if (row) {
          id = row.id;
          const reopen = row.status === 'fixed';
          updates.push([id, m, reopen]);
          if (reopen) {
            result.reopened++;
            history.push([id, m.last, 'fixed', 'open', 'seen again after being fixed', 'intake']);
          }
        }
        for (const [version, v] of m.versions) versions.push([id, version, v.count, v.first, v.last]);
        for (const [hour, count] of m.hours) hours.push([id, hour, count]);
      }
      for (let i = 0; i < updates.length; i += BATCH)
        await this.updateFindings(tx, updates.slice(i, i + BATCH));
      await this.insertMany(
        tx,
        'INSERT INTO finding_versions (finding_id, version, occurrences, first_seen, last_seen)',
        versions,
        `ON CONFLICT (finding_id, version) DO UPDATE SET occurrences = finding_versions.occurrences + excluded.occurrences,
           first_seen = ${this.least('finding_versions.first_seen', 'excluded.first_seen')},
           last_seen = ${this.greatest('finding_versions.last_seen', 'excluded.last_seen')}`,
      );
      await this.insertMany(
        tx,
        'INSERT INTO finding_occurrences (finding_id, hour, count)',
        hours,
        'ON CONFLICT (finding_id, hour) DO UPDATE SET count = finding_occurrences.count + excluded.count',
      );
      await this.insertMany(
        tx,
        'INSERT INTO finding_history (finding_id, at, field, from_value, to_value, reason, actor)',
        history.map(([id, at, from, to, reason, actor]) => [id, at, 'status', from, to, reason, actor]),
        '',
      );
    });
    return result;
  }

  /** Multi-row INSERT in chunks; rows within one statement never conflict with each other. */
  private async insertMany(tx: Db, head: string, rows: unknown[][], tail: string): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH);
      const width = chunk[0]?.length ?? 0;
      const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
      await tx.run(`${head} VALUES ${chunk.map(() => tuple).join(', ')} ${tail}`, chunk.flat());
    }
  }

  private columns(m: Merged) {
    const f = m.latest;
    // Header checks often come without evidence: the request then says where it was seen.
    const snippet =
      evidenceSnippet(f.evidence) ||
      (f.request ? `${f.request.method ?? ''} ${f.request.route ?? f.request.url ?? ''}`.trim() : '');
    return {
      f,
      snippet,
      evidence: JSON.stringify(f.evidence),
      sources: JSON.stringify(f.sources),
      stack: JSON.stringify(f.stack),
      request: f.request ? JSON.stringify(f.request) : null,
      search: searchText(f, snippet),
    };
  }

  /** Returns the new id, or undefined when another writer inserted the fingerprint first. */
  private async insertFinding(tx: Db, m: Merged): Promise<number | undefined> {
    const c = this.columns(m);
    const f = c.f;
    const info = typeInfo(f.type);
    const inserted = await tx.all<{ id: number }>(
      `INSERT INTO findings (fingerprint, service, env, type, severity, severity_rank, cwe, status, path, line, col,
         method, class, evidence, evidence_snippet, sources, stack, request, tracer_language, tracer_version,
         tracer_hash, search_text, occurrences, first_seen, last_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint) DO NOTHING RETURNING id`,
      [
        m.fp,
        f.service,
        f.env,
        f.type,
        info.severity,
        SEVERITY_RANK[info.severity],
        info.cwe,
        f.location.path,
        f.location.line,
        f.location.column ?? null,
        f.location.method ?? null,
        f.location.class ?? null,
        c.evidence,
        c.snippet,
        c.sources,
        c.stack,
        c.request,
        f.tracer.language,
        f.tracer.version,
        f.hash,
        c.search,
        m.count,
        m.first,
        m.last,
      ],
    );
    return inserted[0] ? Number(inserted[0].id) : undefined;
  }

  /**
   * One UPDATE … FROM (VALUES …) for many findings (SQLite >= 3.33 and PostgreSQL share the
   * syntax and the column1… names of an unaliased VALUES list). Every value is cast so that
   * PostgreSQL knows the types of the bound parameters.
   */
  private async updateFindings(tx: Db, rows: [number, Merged, boolean][]): Promise<void> {
    if (rows.length === 0) return;
    const types = [
      'BIGINT',
      'BIGINT',
      'BIGINT',
      'BIGINT',
      'INTEGER',
      'INTEGER',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'TEXT',
      'INTEGER',
    ];
    const tuple = `(${types.map((t) => `CAST(? AS ${t})`).join(', ')})`;
    const params: unknown[] = [];
    for (const [id, m, reopen] of rows) {
      const c = this.columns(m);
      const f = c.f;
      params.push(
        id,
        m.count,
        m.first,
        m.last,
        f.location.line,
        f.location.column ?? null,
        f.location.method ?? null,
        f.location.class ?? null,
        c.evidence,
        c.snippet,
        c.sources,
        c.stack,
        c.request,
        f.tracer.language,
        f.tracer.version,
        f.hash,
        c.search,
        reopen ? 1 : 0,
      );
    }
    await tx.run(
      `UPDATE findings SET occurrences = findings.occurrences + v.column2,
         first_seen = ${this.least('findings.first_seen', 'v.column3')},
         last_seen = ${this.greatest('findings.last_seen', 'v.column4')},
         line = v.column5, col = v.column6, method = v.column7, class = v.column8,
         evidence = v.column9, evidence_snippet = v.column10, sources = v.column11, stack = v.column12,
         request = COALESCE(v.column13, findings.request),
         tracer_language = COALESCE(v.column14, findings.tracer_language),
         tracer_version = COALESCE(v.column15, findings.tracer_version),
         tracer_hash = COALESCE(v.column16, findings.tracer_hash),
         search_text = v.column17,
         status = CASE WHEN v.column18 = 1 THEN 'open' ELSE findings.status END,
         status_reason = CASE WHEN v.column18 = 1 THEN NULL ELSE findings.status_reason END
       FROM (VALUES ${rows.map(() => tuple).join(', ')}) AS v
       WHERE findings.id = v.column1`,
      params,
    );
  }

  private async addHistory(
    tx: Db,
    id: number,
    at: number,
    from: string | null,
    to: string,
    reason: string | null,
    actor: string,
  ): Promise<void> {
    await tx.run(
      `INSERT INTO finding_history (finding_id, at, field, from_value, to_value, reason, actor) VALUES (?, ?, 'status', ?, ?, ?, ?)`,
      [id, at, from, to, reason, actor],
    );
  }

  private where(filter: FindingFilter, except?: Facet): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const inList = (column: string, values: readonly string[] | undefined, facet: Facet) => {
      if (!values || values.length === 0 || facet === except) return;
      clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    inList('service', filter.service, 'service');
    inList('env', filter.env, 'env');
    inList('type', filter.type, 'type');
    inList('severity', filter.severity, 'severity');
    inList('status', filter.status, 'status');
    if (filter.path && filter.path.length > 0 && except !== 'path') {
      clauses.push(`(${filter.path.map(() => "path LIKE ? ESCAPE '\\'").join(' OR ')})`);
      params.push(...filter.path.map((p) => `${escapeLike(p)}%`));
    }
    if (filter.q && except !== 'q') {
      clauses.push("search_text LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(filter.q.toLowerCase())}%`);
    }
    return { sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params };
  }

  async list(filter: FindingFilter, options: ListOptions = {}): Promise<FindingPage> {
    const page = Math.max(1, Math.trunc(options.page ?? 1));
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(options.pageSize ?? 50)));
    const sort = options.sort ?? '-lastSeen';
    const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
    const key = sort.replace(/^-/, '');
    const order =
      key === 'severity'
        ? `severity_rank ${dir}, last_seen DESC, id DESC`
        : key === 'firstSeen'
          ? `first_seen ${dir}, id ${dir}`
          : `last_seen ${dir}, id ${dir}`;
    const w = this.where(filter);
    const [rows, totalRows, bySeverity, byStatus, byType] = await Promise.all([
      this.db.all(`SELECT ${SUMMARY_COLUMNS} FROM findings${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, [
        ...w.params,
        pageSize,
        (page - 1) * pageSize,
      ]),
      this.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM findings${w.sql}`, w.params),
      this.groupCount('severity', filter),
      this.groupCount('status', filter),
      this.groupCount('type', filter),
    ]);
    const severityCounts = Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity[s] ?? 0])) as Record<
      Severity,
      number
    >;
    const statusCounts = Object.fromEntries(STATUSES.map((s) => [s, byStatus[s] ?? 0])) as Record<
      Status,
      number
    >;
    return {
      items: rows.map(summaryFromRow),
      total: Number(totalRows[0]?.n ?? 0),
      page,
      pageSize,
      counts: { bySeverity: severityCounts, byStatus: statusCounts, byType },
    };
  }

  /** Counts per value of one facet, honouring every other filter but that facet's own. */
  private async groupCount(
    column: 'severity' | 'status' | 'type',
    filter: FindingFilter,
  ): Promise<Record<string, number>> {
    const w = this.where(filter, column);
    const rows = await this.db.all<{ k: string; n: number }>(
      `SELECT ${column} AS k, COUNT(*) AS n FROM findings${w.sql} GROUP BY ${column}`,
      w.params,
    );
    return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  }

  async get(id: number): Promise<FindingDetail | undefined> {
    const row = (await this.db.all('SELECT * FROM findings WHERE id = ?', [id]))[0];
    if (!row) return undefined;
    const [versions, history] = await Promise.all([
      this.db.all(
        'SELECT version, occurrences, first_seen, last_seen FROM finding_versions WHERE finding_id = ? ORDER BY first_seen',
        [id],
      ),
      this.db.all(
        'SELECT at, field, from_value, to_value, reason, actor FROM finding_history WHERE finding_id = ? ORDER BY at, id',
        [id],
      ),
    ]);
    return detailFromRow(
      row,
      versions.map(
        (v): VersionStats => ({
          version: String(v.version),
          occurrences: Number(v.occurrences),
          firstSeen: iso(v.first_seen),
          lastSeen: iso(v.last_seen),
        }),
      ),
      history.map(
        (h): HistoryEntry => ({
          at: iso(h.at),
          field: 'status',
          from: str(h.from_value),
          to: String(h.to_value),
          reason: str(h.reason),
          actor: String(h.actor),
        }),
      ),
    );
  }

  /** Every matching finding with its evidence, sources and stack (for exports); no versions or history. */
  async details(filter: FindingFilter): Promise<FindingDetail[]> {
    const w = this.where(filter);
    const rows = await this.db.all(
      `SELECT * FROM findings${w.sql} ORDER BY severity_rank DESC, id`,
      w.params,
    );
    return rows.map((r) => detailFromRow(r, [], []));
  }

  async setStatus(
    id: number,
    status: Status,
    reason: string | null,
    actor: string,
    now = Date.now(),
  ): Promise<FindingDetail> {
    if (!STATUSES.includes(status))
      throw new CollectorError('SLC_ERR_INVALID_STATUS', `status must be one of ${STATUSES.join(', ')}`);
    const why = reason?.trim() ? reason.trim().slice(0, 2000) : null;
    if (status === 'muted' && !why)
      throw new CollectorError('SLC_ERR_REASON_REQUIRED', 'muting a finding needs a reason');
    await this.db.transaction(async (tx) => {
      const row = (
        await tx.all<{ status: Status }>(`SELECT status FROM findings WHERE id = ?${this.forUpdate()}`, [id])
      )[0];
      if (!row) throw new CollectorError('SLC_ERR_FINDING_NOT_FOUND', `no finding with id ${id}`);
      await tx.run('UPDATE findings SET status = ?, status_reason = ? WHERE id = ?', [status, why, id]);
      await this.addHistory(tx, id, now, row.status, status, why, actor);
    });
    const detail = await this.get(id);
    if (!detail) throw new CollectorError('SLC_ERR_FINDING_NOT_FOUND', `no finding with id ${id}`);
    return detail;
  }

  /** Marks open and in-progress findings unseen for `unseenMs` as fixed; they reopen when seen again. */
  async autoClose(unseenMs: number, now = Date.now()): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<{ id: number; status: Status }>(
        `SELECT id, status FROM findings WHERE status IN ('open', 'in_progress') AND last_seen < ?${this.forUpdate()}`,
        [now - unseenMs],
      );
      const reason = `auto-closed: unseen for ${Math.round(unseenMs / HOUR)} h`;
      for (const r of rows) {
        await tx.run("UPDATE findings SET status = 'fixed', status_reason = ? WHERE id = ?", [reason, r.id]);
        await this.addHistory(tx, Number(r.id), now, r.status, 'fixed', reason, 'auto-close');
      }
      return rows.length;
    });
  }

  async occurrences(id: number, bucket: 'hour' | 'day'): Promise<{ at: string; count: number }[]> {
    const rows = await this.db.all<{ hour: number; count: number }>(
      'SELECT hour, count FROM finding_occurrences WHERE finding_id = ? ORDER BY hour',
      [id],
    );
    const size = bucket === 'day' ? DAY : HOUR;
    const out = new Map<number, number>();
    for (const r of rows) {
      const at = Math.floor(Number(r.hour) / size) * size;
      out.set(at, (out.get(at) ?? 0) + Number(r.count));
    }
    return [...out].map(([at, count]) => ({ at: iso(at), count }));
  }

  async facets(): Promise<Facets> {
    const distinct = async (column: string, limit: number) =>
      (
        await this.db.all<{ v: string }>(
          `SELECT DISTINCT ${column} AS v FROM findings WHERE ${column} IS NOT NULL ORDER BY ${column} LIMIT ?`,
          [limit],
        )
      ).map((r) => String(r.v));
    const [services, envs, types, paths] = await Promise.all([
      distinct('service', 1000),
      distinct('env', 1000),
      distinct('type', 1000),
      distinct('path', 1000),
    ]);
    return { services, envs, types, paths };
  }

  /**
   * Open (open or in progress) findings per severity at the end of each of the last `days`
   * days, replayed from the status history.
   */
  async openBySeverity(
    days: number,
    now = Date.now(),
    filter: FindingFilter = {},
  ): Promise<{ at: string; critical: number; high: number; medium: number; low: number }[]> {
    const n = Math.min(366, Math.max(1, Math.trunc(days)));
    const lastDay = Math.floor(now / DAY) * DAY;
    const firstDay = lastDay - (n - 1) * DAY;
    const series = Array.from({ length: n }, (_, i) => ({
      at: iso(firstDay + i * DAY),
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
    }));
    // The status filter makes no sense here: the chart replays the statuses themselves.
    const w = this.where(filter, 'status');
    const rows = await this.db.all<{ finding_id: number; severity: Severity; at: number; to_value: Status }>(
      `SELECT h.finding_id, f.severity, h.at, h.to_value FROM finding_history h JOIN findings f ON f.id = h.finding_id
       WHERE h.at <= ?${w.sql.replace(' WHERE ', ' AND ')} ORDER BY h.finding_id, h.at, h.id`,
      [now, ...w.params],
    );
    const flush = (severity: Severity, spans: [number, number][]) => {
      for (const [from, to] of spans) {
        // Day i counts the finding when it is open at that day's end (or now, for today).
        for (let i = 0; i < n; i++) {
          const end = Math.min(firstDay + (i + 1) * DAY - 1, now);
          const day = series[i];
          if (day && from <= end && end < to) day[severity]++;
        }
      }
    };
    let current: number | null = null;
    let severity: Severity = 'low';
    let spans: [number, number][] = [];
    let openSince: number | null = null;
    for (const r of rows) {
      if (r.finding_id !== current) {
        if (current !== null) {
          if (openSince !== null) spans.push([openSince, Number.POSITIVE_INFINITY]);
          flush(severity, spans);
        }
        current = r.finding_id;
        severity = r.severity;
        spans = [];
        openSince = null;
      }
      const at = Number(r.at);
      const isOpen = r.to_value === 'open' || r.to_value === 'in_progress';
      if (isOpen && openSince === null) openSince = at;
      else if (!isOpen && openSince !== null) {
        spans.push([openSince, at]);
        openSince = null;
      }
    }
    if (current !== null) {
      if (openSince !== null) spans.push([openSince, Number.POSITIVE_INFINITY]);
      flush(severity, spans);
    }
    return series;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function summaryFromRow(r: Row): FindingSummary {
  return {
    id: Number(r.id),
    fingerprint: String(r.fingerprint),
    service: String(r.service),
    env: String(r.env),
    type: String(r.type),
    severity: r.severity as Severity,
    cwe: num(r.cwe),
    status: r.status as Status,
    location: {
      path: str(r.path),
      line: num(r.line),
      column: num(r.col),
      method: str(r.method),
      class: str(r.class),
    },
    evidenceSnippet: String(r.evidence_snippet),
    occurrences: Number(r.occurrences),
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
  };
}

function detailFromRow(r: Row, versions: VersionStats[], history: HistoryEntry[]): FindingDetail {
  const summary = summaryFromRow(r);
  const request = parse<FindingDetail['request'] | null>(r.request, null);
  const detail: FindingDetail = {
    ...summary,
    statusReason: str(r.status_reason),
    evidence: parse(r.evidence, {}),
    sources: parse(r.sources, []),
    stack: parse(r.stack, []),
    versions,
    history,
    remediation: remediation(summary.type),
    tracer: { language: str(r.tracer_language), version: str(r.tracer_version) },
  };
  if (request) detail.request = request;
  return detail;
}

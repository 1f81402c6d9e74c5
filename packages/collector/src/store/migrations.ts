import type { Db } from './db.js';

/**
 * Versioned schema migrations, the same list for SQLite and PostgreSQL. `{{id}}` becomes
 * each dialect's auto-increment key. Times are epoch milliseconds in BIGINT columns.
 * Append new versions; never edit a released one.
 */
export const MIGRATIONS: { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'findings, versions, occurrence buckets, history',
    sql: `
CREATE TABLE findings (
  id {{id}},
  fingerprint TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL,
  env TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  cwe INTEGER,
  status TEXT NOT NULL,
  status_reason TEXT,
  path TEXT,
  line INTEGER,
  col INTEGER,
  method TEXT,
  class TEXT,
  evidence TEXT NOT NULL,
  evidence_snippet TEXT NOT NULL,
  sources TEXT NOT NULL,
  stack TEXT NOT NULL,
  request TEXT,
  tracer_language TEXT,
  tracer_version TEXT,
  tracer_hash TEXT,
  search_text TEXT NOT NULL,
  occurrences BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX findings_last_seen ON findings (last_seen);
CREATE INDEX findings_severity ON findings (severity_rank, last_seen);
CREATE INDEX findings_service ON findings (service);
CREATE INDEX findings_status ON findings (status);
CREATE INDEX findings_type ON findings (type);
CREATE INDEX findings_path ON findings (path);
CREATE TABLE finding_versions (
  finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  occurrences BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (finding_id, version)
);
CREATE TABLE finding_occurrences (
  finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  hour BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (finding_id, hour)
);
CREATE TABLE finding_history (
  id {{id}},
  finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  field TEXT NOT NULL,
  from_value TEXT,
  to_value TEXT NOT NULL,
  reason TEXT,
  actor TEXT NOT NULL
);
CREATE INDEX finding_history_finding ON finding_history (finding_id, at);
`,
  },
];

const ID = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' };

/** Applies pending migrations, each in its own transaction; safe when several collectors start at once. */
export async function migrate(db: Db): Promise<number[]> {
  await db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(727274)');
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
  });
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      // Collectors sharing one PostgreSQL: the first to take the lock migrates, the others wait and skip.
      if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(727274)');
      const rows = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (rows.length > 0) return false;
      for (const stmt of m.sql.replace(/\{\{id\}\}/g, ID[tx.dialect]).split(';')) {
        if (stmt.trim()) await tx.exec(stmt);
      }
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
        m.version,
        Date.now(),
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Db, Row } from './db.js';

type Conn = InstanceType<typeof Database>;
interface Stmt {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

/**
 * better-sqlite3 is synchronous; the store's API is async for PostgreSQL's sake. One
 * connection serves everything, so transactions are serialised through a promise chain:
 * an async transaction body must not let another writer's statements in between.
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly stmts = new Map<string, Stmt>();

  private constructor(private readonly conn: Conn) {}

  static open(file: string): SqliteDb {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const conn = new Database(file);
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('foreign_keys = ON');
    conn.pragma('busy_timeout = 5000');
    return new SqliteDb(conn);
  }

  private prepare(sql: string): Stmt {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.conn.prepare(sql) as unknown as Stmt;
      if (this.stmts.size > 500) this.stmts.clear();
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  private static bind(params: unknown[]): unknown[] {
    return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
  }

  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const stmt = this.prepare(sql);
    if (stmt.reader) return stmt.all(...SqliteDb.bind(params)) as T[];
    stmt.run(...SqliteDb.bind(params));
    return [];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.prepare(sql).run(...SqliteDb.bind(params)).changes;
  }

  async exec(sql: string): Promise<void> {
    this.conn.exec(sql);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.conn.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(this);
        this.conn.exec('COMMIT');
        return value;
      } catch (err) {
        if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
        throw err;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
    this.conn.close();
  }
}

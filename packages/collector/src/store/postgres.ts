import pg from 'pg';
import type { Db, Row } from './db.js';

// BIGINT (20) and COUNT(*) results: the store's numbers (epoch ms, counts) fit in 2^53.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

class PgConn implements Db {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly q: Queryable) {}

  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.q.query({ text: numbered(sql), values: params, types } as never)).rows as T[];
  }
  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.q.query({ text: numbered(sql), values: params, types } as never)).rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.q.query(sql);
  }
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    // Already inside one (a client): nested calls share it.
    return fn(this);
  }
  async close(): Promise<void> {}
}

/** A pool; `schema`, when given, is created if needed and becomes every connection's search_path. */
export class PostgresDb extends PgConn {
  private constructor(private readonly pool: pg.Pool) {
    super(pool as unknown as Queryable);
  }

  static async open(url: string, schema?: string): Promise<PostgresDb> {
    const config: pg.PoolConfig = { connectionString: url, max: 8 };
    if (schema) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
      config.options = `-c search_path=${schema}`;
    }
    const pool = new pg.Pool(config);
    // An idle client's network error must not crash the collector; the next query reports it.
    pool.on('error', () => {});
    const db = new PostgresDb(pool);
    if (schema) {
      try {
        // CREATE SCHEMA IF NOT EXISTS races between collectors starting together: serialise it.
        await db.transaction(async (tx) => {
          await tx.all('SELECT pg_advisory_xact_lock(727273)');
          await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        });
      } catch (err) {
        await pool.end().catch(() => {});
        throw err;
      }
    }
    return db;
  }

  override async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn(new PgConn(client as unknown as Queryable));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }

  async dropSchema(schema: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    await this.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

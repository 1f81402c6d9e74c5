/**
 * The few operations the store needs from a database, so that one SQL store runs on both
 * SQLite and PostgreSQL. SQL is written with `?` placeholders; the PostgreSQL driver
 * renumbers them. Integers come back as JS numbers on both (PostgreSQL's BIGINT is parsed).
 */
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: everything or nothing. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

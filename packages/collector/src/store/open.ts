import { resolve } from 'node:path';
import { CollectorError } from '../errors.js';
import { PostgresDb } from './postgres.js';
import { SqliteDb } from './sqlite.js';
import { SqlStore } from './store.js';

export const DEFAULT_SQLITE_FILE = '.sluice/collector.db';

export interface OpenStoreOptions {
  /** postgres://… / postgresql://…, sqlite:<file>, a file path, or ':memory:'. Default: .sluice/collector.db */
  url?: string;
  /** PostgreSQL schema to use (created if missing); lets several stores share one database. */
  schema?: string;
}

/** Opens and migrates the store named by a URL. */
export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  const url = options.url ?? DEFAULT_SQLITE_FILE;
  let store: SqlStore;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      store = new SqlStore(await PostgresDb.open(url, options.schema));
    } catch (err) {
      throw new CollectorError(
        'SLC_ERR_STORE_UNAVAILABLE',
        `cannot open PostgreSQL store: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('sqlite:')) {
    throw new CollectorError(
      'SLC_ERR_STORE_URL_INVALID',
      `unsupported store URL ${url}: use postgres://… or a SQLite file path`,
    );
  } else {
    const file = url.replace(/^sqlite:(\/\/)?/, '');
    store = new SqlStore(SqliteDb.open(file === ':memory:' ? file : resolve(file)));
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw new CollectorError(
      'SLC_ERR_STORE_UNAVAILABLE',
      `cannot migrate the store: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return store;
}

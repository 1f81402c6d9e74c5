import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { PostgresDb } from '../../src/store/postgres.js';
import type { SqlStore } from '../../src/store/store.js';

export const PG_URL = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty store; `cleanup` removes it. */
  open(): Promise<{ store: SqlStore; url: string; schema?: string; cleanup(): Promise<void> }>;
}

/** A schema unique to this process and call, so parallel test runs never share tables. */
export function uniqueSchema(): string {
  return `sluice_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
      const url = join(dir, 'collector.db');
      const store = await openStore({ url });
      return {
        store,
        url,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = uniqueSchema();
      // No skip when PostgreSQL is absent: openStore throws SLC_ERR_STORE_UNAVAILABLE and the test fails.
      const store = await openStore({ url: PG_URL, schema });
      return {
        store,
        url: PG_URL,
        schema,
        async cleanup() {
          await store.close();
          const admin = await PostgresDb.open(PG_URL);
          await admin.dropSchema(schema);
          await admin.close();
        },
      };
    },
  },
];

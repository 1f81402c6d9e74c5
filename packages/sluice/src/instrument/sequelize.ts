/**
 * sequelize: Sequelize#query, a text or `{ query, values }`. The dialect's driver (pg, mysql2)
 * receives the same text later; the SQL analyzer reports a query once per request.
 */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'sequelize', versions: '>=6.0.0 <7' } as const;

export function sequelizeInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'sequelize',
    SUPPORTED.versions,
    [{ file: 'lib/sequelize.js', exportName: '', methods: ['query'], keys: ['query'] }],
    hooks,
    guard,
  );
}

/** better-sqlite3: Database#prepare and Database#exec take SQL text. */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'better-sqlite3', versions: '>=7.0.0 <13' } as const;

export function betterSqlite3Instrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'better-sqlite3',
    SUPPORTED.versions,
    [{ file: 'lib/database.js', exportName: '', methods: ['prepare', 'exec'], keys: [] }],
    hooks,
    guard,
  );
}

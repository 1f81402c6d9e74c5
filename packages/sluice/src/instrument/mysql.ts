/** mysql: Connection#query and Pool#query, a text or an options object `{ sql }`. */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'mysql', versions: '>=2.0.0 <3' } as const;

export function mysqlInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'mysql',
    SUPPORTED.versions,
    [
      { file: 'lib/Connection.js', exportName: '', methods: ['query'], keys: ['sql'] },
      { file: 'lib/Pool.js', exportName: '', methods: ['query'], keys: ['sql'] },
    ],
    hooks,
    guard,
  );
}

/**
 * mysql2: Connection#query/#execute and Pool#query/#execute (the promise API wraps these), a
 * text or an options object `{ sql }`. Methods inherited from the base classes of mysql2 3.x
 * are wrapped on the exported subclasses.
 */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'mysql2', versions: '>=2.0.0 <4' } as const;

export function mysql2Instrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  const methods = ['query', 'execute'];
  return new SqlLibraryInstrumentation(
    'mysql2',
    SUPPORTED.versions,
    [
      { file: 'lib/connection.js', exportName: '', methods, keys: ['sql'] },
      { file: 'lib/pool.js', exportName: '', methods, keys: ['sql'] },
    ],
    hooks,
    guard,
  );
}

/**
 * pg-pool: Pool#query. The pool runs the query on a client later, in a callback, where the
 * application's frame is no longer on the stack: the pool's own call is the one to analyse.
 */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'pg-pool', versions: '>=2.0.0 <4' } as const;

export function pgPoolInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'pg-pool',
    SUPPORTED.versions,
    [{ file: 'index.js', exportName: '', methods: ['query'], keys: ['text'] }],
    hooks,
    guard,
  );
}

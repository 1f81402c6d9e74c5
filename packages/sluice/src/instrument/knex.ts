/**
 * knex: every raw fragment (knex.raw, whereRaw, orderByRaw, havingRaw, joinRaw...) becomes a
 * Raw whose `set(sql, bindings)` receives the text, synchronously in the application's call.
 */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'knex', versions: '>=0.95.0 <4' } as const;

export function knexInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'knex',
    SUPPORTED.versions,
    [{ file: 'lib/raw.js', exportName: '', methods: ['set'], keys: ['sql'] }],
    hooks,
    guard,
  );
}

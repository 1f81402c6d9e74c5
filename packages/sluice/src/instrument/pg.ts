/** pg (node-postgres): Client#query and the native client's, text or `{ text }` config objects. */
import type { ModuleHooks } from './require-hook.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'pg', versions: '>=7.0.0 <9' } as const;

export function pgInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): SqlLibraryInstrumentation {
  return new SqlLibraryInstrumentation(
    'pg',
    SUPPORTED.versions,
    [
      { file: 'lib/client.js', exportName: '', methods: ['query'], keys: ['text'] },
      { file: 'lib/native/client.js', exportName: '', methods: ['query'], keys: ['text'] },
    ],
    hooks,
    guard,
  );
}

/**
 * sqlite3: Database#run, get, all, each, map, exec and prepare take SQL text first, and
 * `new sqlite3.Statement(db, sql)` second. Database#prepare and the query methods build their
 * Statement through sqlite3's own binding of the class, not the wrapped export, so a query is
 * published once.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';
import { SqlLibraryInstrumentation } from './sql-library.js';

export const SUPPORTED = { module: 'sqlite3', versions: '>=5.0.0 <7' } as const;
const FILE = 'lib/sqlite3.js';

class Sqlite3Instrumentation implements Instrumentation {
  readonly name = 'sqlite3';
  readonly #shim = new Shim('sql:sqlite3:Statement');
  readonly #query = channel('sluice:sql.query');
  readonly #database: SqlLibraryInstrumentation;
  #patch: ModulePatch | undefined;

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {
    this.#database = new SqlLibraryInstrumentation(
      'sqlite3',
      SUPPORTED.versions,
      [
        {
          file: FILE,
          exportName: 'Database',
          methods: ['run', 'get', 'all', 'each', 'map', 'exec', 'prepare'],
          keys: [],
        },
      ],
      hooks,
      guard,
    );
  }

  enable(): void {
    this.#database.enable();
    if (this.#patch) return;
    this.#patch = {
      package: 'sqlite3',
      file: FILE,
      versions: SUPPORTED.versions,
      patch: (exports) =>
        this.#shim.wrap(
          exports as object,
          'Statement',
          publishingCall(this.#query, this.guard, (args) => ({
            query: typeof args[1] === 'string' ? args[1] : undefined,
            library: 'sqlite3',
          })),
        ),
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    this.#database.disable();
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }
}

export function sqlite3Instrumentation(hooks: ModuleHooks, guard: (error: unknown) => void): Instrumentation {
  return new Sqlite3Instrumentation(hooks, guard);
}

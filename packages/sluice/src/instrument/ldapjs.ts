/**
 * ldapjs: Client#search (base DN and a string filter, given alone or as `options.filter`),
 * Client#bind (the DN) and parseFilter publish on `sluice:ldap.operation` before anything is
 * sent, so a finding needs no directory server. Filters built as objects (EqualityFilter...)
 * and DN objects are not text and are not published: ldapjs escapes their values.
 */
import { channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'ldapjs', versions: '>=2.0.0 <4' } as const;

/** The string filter of search's second argument: a string, or an options object's `filter`. */
function searchFilter(options: unknown): unknown {
  if (typeof options === 'string') return options;
  if (options !== null && typeof options === 'object' && !Array.isArray(options))
    return (options as { filter?: unknown }).filter;
  return undefined;
}

export class LdapjsInstrumentation implements Instrumentation {
  readonly name = 'ldapjs';
  readonly #shim = new Shim('ldapjs');
  readonly #operation = channel('sluice:ldap.operation');
  #patches: ModulePatch[] = [];

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patches.length > 0) return;
    const versions = SUPPORTED.versions;
    this.#patches = [
      {
        package: 'ldapjs',
        file: 'lib/client/client.js',
        versions,
        patch: (exports) => this.#wrapClient(exports),
      },
      { package: 'ldapjs', file: 'lib/index.js', versions, patch: (exports) => this.#wrapIndex(exports) },
    ];
    for (const patch of this.#patches) this.hooks.add(patch);
  }

  disable(): void {
    for (const patch of this.#patches) this.hooks.remove(patch);
    this.#patches = [];
    this.#shim.restore();
  }

  #wrapClient(client: unknown): void {
    const proto = (client as { prototype?: unknown } | undefined)?.prototype;
    if (typeof client !== 'function' || typeof proto !== 'object' || proto === null) return;
    const publish = (api: string, message: (args: unknown[]) => { dn: unknown; filter: unknown }) =>
      publishingCall(this.#operation, this.guard, (args) => ({ api, ...message(args) }));
    this.#shim.wrap(
      proto,
      'search',
      publish('Client.search', (args) => ({ dn: args[0], filter: searchFilter(args[1]) })),
    );
    this.#shim.wrap(
      proto,
      'bind',
      publish('Client.bind', (args) => ({ dn: args[0], filter: undefined })),
    );
  }

  #wrapIndex(exports: unknown): void {
    if (exports === null || typeof exports !== 'object') return;
    this.#shim.wrap(
      exports,
      'parseFilter',
      publishingCall(this.#operation, this.guard, (args) => ({
        api: 'parseFilter',
        dn: undefined,
        filter: args[0],
      })),
    );
  }
}

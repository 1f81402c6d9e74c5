/**
 * node:child_process: every function that starts a process publishes the command, its
 * arguments and whether a shell interprets them (exec*, or the `shell` option set).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { type ChildProcessMessage, channel } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';
import { keepPromisifyCustom, publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'node:child_process', versions: '>=20' } as const;

/** (file, args?, options?): the argument list is optional, options may come second. */
function fileCall(api: string, args: unknown[]): ChildProcessMessage {
  const list = Array.isArray(args[1]) ? (args[1] as unknown[]) : undefined;
  const options = list ? args[2] : args[1];
  const shell =
    options !== null && typeof options === 'object' ? (options as { shell?: unknown }).shell : undefined;
  return { api, command: args[0], args: list, shell: Boolean(shell) };
}

export class ChildProcessInstrumentation implements Instrumentation {
  readonly name = 'child_process';
  readonly #shim = new Shim('child_process');
  readonly #command = channel('sluice:child_process.command');

  constructor(private readonly guard: (error: unknown) => void) {}

  enable(): void {
    const wrap = (api: string, message: (args: unknown[]) => ChildProcessMessage) => {
      const factory = publishingCall(this.#command, this.guard, message);
      this.#shim.wrap(childProcess, api, factory);
      keepPromisifyCustom(childProcess, api, factory);
    };
    for (const api of ['exec', 'execSync'])
      wrap(api, (args) => ({ api, command: args[0], args: undefined, shell: true }));
    for (const api of ['spawn', 'spawnSync', 'execFile', 'execFileSync'])
      wrap(api, (args) => fileCall(api, args));
    // fork runs a Node.js module: the module path is the command.
    wrap('fork', (args) => ({ ...fileCall('fork', args), shell: false }));
    syncBuiltinESMExports();
  }

  disable(): void {
    this.#shim.restore();
    syncBuiltinESMExports();
  }
}

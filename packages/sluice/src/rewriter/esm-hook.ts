// ES modules: rewrite through a load hook. module.registerHooks (Node >= 22.15 / 23.5) runs
// the hook synchronously in this thread and can be removed. Older lines only have
// module.register, whose hook runs in a loader thread and can never be unregistered: there we
// register once per process and switch the thread's rewriter on/off and reconfigure it over
// the MessagePort, which also carries each file's result back to this thread.
import Module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, MessageChannel, type MessagePort } from 'node:worker_threads';
import { markingLoaderThread } from '../loader-thread.js';
import { type FromLoader, type LoaderData, rewriteLoaded, type ToLoader } from './esm-loader.js';
import {
  FileRewriter,
  type FileRewriterOptions,
  type ReentrancyGuard,
  type RewriteEventSink,
} from './file-rewriter.js';

export interface EsmHook {
  /** How the hook runs: in this thread, in Node's loader thread, or not at all (too old). */
  readonly mode: 'registerHooks' | 'register' | 'unavailable';
  /** Resolves when the hook applies the current configuration (immediately in-thread). */
  readonly ready: Promise<void>;
  remove(): void;
}

interface LoadResultLike {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
}

type RegisterHooks = (hooks: {
  load: (
    url: string,
    context: unknown,
    nextLoad: (url: string, context?: unknown) => LoadResultLike,
  ) => LoadResultLike;
}) => { deregister(): void };

type Register = (specifier: string | URL, options: { data: LoaderData; transferList: MessagePort[] }) => void;

/** Process-wide: module.register cannot be undone, so a second install reuses the first thread. */
const LOADER_KEY = Symbol.for('sluice.rewriter.esmLoader');

interface LoaderLink {
  port: MessagePort;
  sink: RewriteEventSink;
  nextAck: number;
  pending: Map<number, () => void>;
}

export function hookEsm(
  options: FileRewriterOptions,
  sink: RewriteEventSink,
  guard?: ReentrancyGuard,
): EsmHook {
  const mod = Module as unknown as { registerHooks?: RegisterHooks; register?: Register };
  if (typeof mod.registerHooks === 'function') {
    const rewriter = new FileRewriter(options, sink, guard);
    const handle = mod.registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        try {
          return rewriteLoaded(url, result, rewriter);
        } catch {
          return result;
        }
      },
    });
    let removed = false;
    return {
      mode: 'registerHooks',
      ready: Promise.resolve(),
      remove() {
        if (removed) return;
        removed = true;
        handle.deregister();
      },
    };
  }
  // On Node 20, `--require` preloads also run inside the loader thread itself, where calling
  // register() again makes Node exit with code 1; other worker threads share the loader too.
  if (typeof mod.register !== 'function' || !isMainThread) {
    return { mode: 'unavailable', ready: Promise.resolve(), remove() {} };
  }
  const g = globalThis as { [LOADER_KEY]?: LoaderLink };
  let link = g[LOADER_KEY];
  let ready: Promise<void>;
  if (link) {
    link.sink = sink;
    ready = configure(link, true, options);
  } else {
    const { port1, port2 } = new MessageChannel();
    const created: LoaderLink = { port: port1, sink, nextAck: 1, pending: new Map() };
    port1.on('message', (msg: FromLoader) => {
      if (msg.type === 'event') created.sink(msg.event);
      else if (msg.type === 'ack') {
        created.pending.get(msg.ack)?.();
        created.pending.delete(msg.ack);
        // Waiting for an acknowledgement is the only reason to keep the process alive.
        if (created.pending.size === 0) created.port.unref();
      }
    });
    port1.unref();
    const register = mod.register;
    markingLoaderThread(() =>
      register(pathToFileURL(join(__dirname, 'esm-loader.js')), {
        data: { port: port2, options },
        transferList: [port2],
      }),
    );
    g[LOADER_KEY] = created;
    link = created;
    ready = Promise.resolve();
  }
  const current = link;
  let removed = false;
  return {
    mode: 'register',
    ready,
    remove() {
      if (removed) return;
      removed = true;
      void configure(current, false, options);
      current.sink = () => {};
    },
  };
}

function configure(link: LoaderLink, enabled: boolean, options: FileRewriterOptions): Promise<void> {
  const ack = link.nextAck++;
  const done = new Promise<void>((resolve) => link.pending.set(ack, resolve));
  link.port.ref();
  link.port.postMessage({ type: 'configure', enabled, options, ack } satisfies ToLoader);
  return done;
}

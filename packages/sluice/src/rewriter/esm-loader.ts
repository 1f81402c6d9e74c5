// The ES module load hook. With module.registerHooks (Node >= 22.15 / 23.5) it runs in the
// main thread; with module.register it runs in Node's loader thread, where it builds its own
// FileRewriter and reports each file over the MessagePort passed in `data`.
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { FileRewriter, type FileRewriterOptions, type RewriteEvent } from './file-rewriter.js';

export interface LoaderData {
  port: MessagePort;
  options: FileRewriterOptions;
}

/** Messages from the main thread to the loader thread. */
export type ToLoader = { type: 'configure'; enabled: boolean; options: FileRewriterOptions; ack: number };

/** Messages from the loader thread to the main thread. */
export type FromLoader = { type: 'event'; event: RewriteEvent } | { type: 'ack'; ack: number };

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad<R> = (url: string, context?: unknown) => R;

const decoder = new TextDecoder();

function sourceText(source: LoadResult['source']): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof ArrayBuffer) return decoder.decode(source);
  if (source && ArrayBuffer.isView(source)) return decoder.decode(source);
  return undefined;
}

/** Rewrites the source of a loaded ES module in place on the result object. */
export function rewriteLoaded(url: string, result: LoadResult, rewriter: FileRewriter): LoadResult {
  if (result.format !== 'module' || !url.startsWith('file:')) return result;
  const text = sourceText(result.source);
  if (text === undefined) return result;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return result;
  }
  const code = rewriter.process(text, file, true, url);
  return code === text ? result : { ...result, source: code };
}

// --- module.register (loader thread) --------------------------------------------------------

interface ThreadState {
  enabled: boolean;
  rewriter: FileRewriter;
}

// Node's hook API is a pair of module exports, so the loader thread's state can only live at
// module level; it exists once per loader thread and is created by initialize().
let thread: ThreadState | undefined;

export function initialize(data: LoaderData): void {
  const { port } = data;
  const emit = (event: RewriteEvent): void => port.postMessage({ type: 'event', event } satisfies FromLoader);
  const state: ThreadState = { enabled: true, rewriter: new FileRewriter(data.options, emit) };
  port.on('message', (msg: ToLoader) => {
    if (msg.type === 'configure') {
      state.enabled = msg.enabled;
      state.rewriter = new FileRewriter(msg.options, emit);
      port.postMessage({ type: 'ack', ack: msg.ack } satisfies FromLoader);
    }
  });
  port.unref();
  thread = state;
}

export async function load(
  url: string,
  context: unknown,
  nextLoad: NextLoad<Promise<LoadResult>>,
): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  const state = thread;
  if (!state?.enabled) return result;
  try {
    return rewriteLoaded(url, result, state.rewriter);
  } catch {
    return result;
  }
}

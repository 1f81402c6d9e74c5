/**
 * The ES module load hook for got (an ES-module-only package, out of Module._load's reach).
 * got's request module is served with one line appended that hands its Request class to the
 * main thread's got instrumentation (got.ts), which wraps a prototype method. With
 * module.register this file runs in Node's loader thread and only edits source text.
 */

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

/**
 * got's module that defines `export default class Request`, in any package directory: an
 * alias (`npm i got12@npm:got@12`) keeps got's files under its own name. The main thread
 * checks the package.json name before patching.
 */
export const GOT_REQUEST_MODULE = /\/node_modules\/[^/]+\/dist\/source\/core\/index\.js$/;
/** The global function got.ts installs in the main thread. */
export const GOT_PATCH_KEY = 'sluice.got.patchRequest';

const decoder = new TextDecoder();

function text(source: LoadResult['source']): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof ArrayBuffer) return decoder.decode(source);
  if (source && ArrayBuffer.isView(source)) return decoder.decode(source);
  return undefined;
}

/** `result` with the hand-over line appended when `url` is got's request module. */
export function withHandOver(url: string, result: LoadResult): LoadResult {
  if (!url.startsWith('file:') || !GOT_REQUEST_MODULE.test(url) || result.format !== 'module') return result;
  const source = text(result.source);
  if (source === undefined || !/\bexport default class Request\b/.test(source)) return result;
  const call = `globalThis[Symbol.for(${JSON.stringify(GOT_PATCH_KEY)})]?.(Request, import.meta.url);`;
  return { ...result, source: `${source}\n;try { ${call} } catch {}\n` };
}

// --- module.register (Node's loader thread) --------------------------------------------------

export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context?: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  return withHandOver(url, await nextLoad(url, context));
}

// --- module.registerHooks (in-thread, Node >= 22.15) -----------------------------------------

export function syncLoad(
  url: string,
  context: unknown,
  nextLoad: (url: string, context?: unknown) => LoadResult,
): LoadResult {
  return withHandOver(url, nextLoad(url, context));
}

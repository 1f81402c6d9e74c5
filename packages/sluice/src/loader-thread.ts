/**
 * Node 20 runs `--require` preloads again inside the ES module loader's own thread once
 * `module.register()` starts it. The agent must not start a second time there: that thread
 * runs no application code. The rewriter marks the thread it is about to create through
 * worker environment data, which a new thread copies when it is created; the mark is removed
 * right after, so the application's own worker threads are not mistaken for it.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';

const LOADER_THREAD_MARK = 'sluice.loaderThread';

/** Runs `createLoaderThread` with the mark set, so that the thread it creates knows what it is. */
export function markingLoaderThread<T>(createLoaderThread: () => T): T {
  setEnvironmentData(LOADER_THREAD_MARK, true);
  try {
    return createLoaderThread();
  } finally {
    setEnvironmentData(LOADER_THREAD_MARK, undefined);
  }
}

/** True inside the loader thread that the rewriter created. */
export function isLoaderThread(): boolean {
  return !isMainThread && getEnvironmentData(LOADER_THREAD_MARK) === true;
}

// installRewriter: hooks CommonJS and ES module loading so that application files are
// rewritten (see rewrite.ts) before they run. State lives in the returned handle.
import { isMainThread } from 'node:worker_threads';
import { hookCompile } from './cjs-hook.js';
import { type EsmHook, hookEsm } from './esm-hook.js';
import {
  FileRewriter,
  type FileRewriterOptions,
  type ReentrancyGuard,
  type RewriteEvent,
} from './file-rewriter.js';
import type { RewriteStats, StringLiteral } from './rewrite.js';

export interface RewriterLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface RewriteInfo {
  /** String literals of 8+ characters, for the hardcoded secret/password analyzers. */
  literals: StringLiteral[];
  stats: RewriteStats;
  /** False when the file parsed but contained nothing to rewrite. */
  changed: boolean;
  cacheHit: boolean;
  /** 'module' for ES modules, 'commonjs' otherwise. */
  format: 'module' | 'commonjs';
}

export interface RewriterOptions {
  /** Globs of files to rewrite; default: every file. */
  include?: string[];
  /** Globs of files to leave alone; default: `**\/node_modules/**`. Sluice's own files never are. */
  exclude?: string[];
  /** Directory of the on-disk cache of rewritten files; no cache when absent. */
  cacheDir?: string;
  logger?: RewriterLogger;
  /** Called once per file that was parsed (rewritten or not); for ES modules loaded through a
   * loader thread it is called asynchronously, shortly after the module loaded. */
  onRewrite?: (file: string, info: RewriteInfo) => void;
  /** Hook CommonJS (default true) and ES modules (default true). */
  cjs?: boolean;
  esm?: boolean;
}

export interface RewriterCounters {
  /** Files parsed and rewritten (with at least one edit). */
  rewritten: number;
  /** Files parsed that needed no edit. */
  unchanged: number;
  /** Files the globs left alone. */
  skipped: number;
  /** Files that failed to parse or rewrite and were loaded as they are. */
  failed: number;
  /** Files served from the on-disk cache (also counted as rewritten or unchanged). */
  cacheHits: number;
}

export interface RewriterHandle {
  readonly counters: Readonly<RewriterCounters>;
  /** How ES modules are hooked in this process. */
  readonly esmMode: EsmHook['mode'] | 'off';
  /** Resolves when the ES module hook runs with these options (a loader thread needs a turn). */
  readonly ready: Promise<void>;
  uninstall(): void;
}

export function installRewriter(options: RewriterOptions = {}): RewriterHandle {
  const counters: RewriterCounters = { rewritten: 0, unchanged: 0, skipped: 0, failed: 0, cacheHits: 0 };
  const failedOnce = new Set<string>();
  const logger = options.logger;
  let active = true;

  const handle = (event: RewriteEvent, format: RewriteInfo['format']): void => {
    if (!active) return;
    switch (event.type) {
      case 'skipped':
        counters.skipped++;
        return;
      case 'failed':
        counters.failed++;
        if (!failedOnce.has(event.file)) {
          failedOnce.add(event.file);
          safe(() => logger?.warn(`sluice: loading ${event.file} without rewriting: ${event.reason}`));
        }
        return;
      case 'rewritten': {
        if (event.changed) counters.rewritten++;
        else counters.unchanged++;
        if (event.cacheHit) counters.cacheHits++;
        const info: RewriteInfo = {
          literals: event.literals,
          stats: event.stats,
          changed: event.changed,
          cacheHit: event.cacheHit,
          format,
        };
        if (options.onRewrite) safe(() => options.onRewrite?.(event.file, info));
      }
    }
  };

  const shared: FileRewriterOptions = {};
  if (options.include) shared.include = [...options.include];
  if (options.exclude) shared.exclude = [...options.exclude];
  if (options.cacheDir) shared.cacheDir = options.cacheDir;

  const guard: ReentrancyGuard = { busy: false };
  const cjsRewriter = new FileRewriter(shared, (e) => handle(e, 'commonjs'), guard);
  const cjs =
    options.cjs === false
      ? undefined
      : hookCompile((code, file, isModule) => cjsRewriter.process(code, file, isModule));
  let esm: EsmHook | undefined;
  if (options.esm !== false) {
    try {
      esm = hookEsm(shared, (e) => handle(e, 'module'), guard);
    } catch (err) {
      safe(() =>
        logger?.warn(`sluice: ES modules will not be rewritten: ${err instanceof Error ? err.message : err}`),
      );
    }
  }
  // In worker threads (Node 20's loader thread included) ES modules are hooked by the main
  // thread's registration, if at all: nothing to say there.
  if (esm?.mode === 'unavailable' && isMainThread)
    safe(() => logger?.warn('sluice: this Node.js cannot hook ES module loading'));

  return {
    counters,
    esmMode: esm?.mode ?? 'off',
    ready: esm?.ready ?? Promise.resolve(),
    uninstall() {
      if (!active) return;
      active = false;
      cjs?.remove();
      esm?.remove();
    },
  };
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // A failing logger or callback must not break module loading.
  }
}

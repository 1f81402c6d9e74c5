// Decides, for one file being loaded, whether to rewrite it and with what result: filter,
// cache, rewrite, and an event for whoever keeps the counters. Shared by the CommonJS hook
// and the ES module load hook (which may run in a loader thread).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { isRewritten } from './binding.js';
import { RewriteCache } from './cache.js';
import { FileFilter, type FileFilterOptions } from './filter.js';
import type { RewriteStats, rewrite, StringLiteral } from './rewrite.js';

type RewriteFn = typeof rewrite;

/** Options that cross into a loader thread: plain data only. */
export interface FileRewriterOptions {
  include?: string[];
  exclude?: string[];
  cacheDir?: string;
}

export type RewriteEvent =
  | {
      type: 'rewritten';
      file: string;
      changed: boolean;
      cacheHit: boolean;
      literals: StringLiteral[];
      stats: RewriteStats;
    }
  | { type: 'skipped'; file: string }
  | { type: 'failed'; file: string; reason: string };

export type RewriteEventSink = (event: RewriteEvent) => void;

/**
 * Shared by the hooks of one installation: while a file is being rewritten, modules loaded
 * by the rewriter itself (the parser loads parts of itself lazily) pass through untouched.
 */
export interface ReentrancyGuard {
  busy: boolean;
}

/** Root of Sluice's compiled agent code (dist/src): never rewritten. */
export const SLUICE_SRC_DIR = resolve(__dirname, '..');

function sluiceVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/** Package directories of the rewriter's own dependencies: rewriting them could recurse. */
function ownDependencyDirs(): string[] {
  const dirs: string[] = [];
  for (const name of ['oxc-parser', 'magic-string', '@jridgewell/sourcemap-codec']) {
    try {
      const main = require.resolve(name);
      const marker = `${sep}node_modules${sep}${name.replaceAll('/', sep)}${sep}`;
      const at = main.lastIndexOf(marker);
      dirs.push(at < 0 ? dirname(main) : main.slice(0, at + marker.length - 1));
    } catch {
      // Not resolvable from here: then it is not what we load either.
    }
  }
  return dirs;
}

export class FileRewriter {
  private readonly filter: FileFilter;
  private readonly cache: RewriteCache | undefined;
  private rewriteFn: RewriteFn | undefined;

  constructor(
    options: FileRewriterOptions,
    private readonly emit: RewriteEventSink,
    private readonly guard: ReentrancyGuard = { busy: false },
  ) {
    const filterOptions: FileFilterOptions = { alwaysExclude: [SLUICE_SRC_DIR, ...ownDependencyDirs()] };
    if (options.include) filterOptions.include = options.include;
    if (options.exclude) filterOptions.exclude = options.exclude;
    this.filter = new FileFilter(filterOptions);
    if (options.cacheDir) {
      const salt = JSON.stringify({ v: sluiceVersion(), include: options.include, exclude: options.exclude });
      this.cache = new RewriteCache(options.cacheDir, salt);
    }
  }

  accepts(file: string): boolean {
    return this.filter.accepts(file);
  }

  /**
   * The code to load for `file`: rewritten, or the original on any failure. Never throws.
   * `url` names the module in its source map (ES modules are known by their file: URL).
   */
  process(code: string, file: string, isModule: boolean, url?: string): string {
    // Loaded while rewriting (the parser's own modules), or seen a second time by another
    // hook (require of an ES module on Node 22 passes the load hook and _compile): as is.
    if (this.guard.busy || isRewritten(code)) return code;
    try {
      if (!this.filter.accepts(file)) {
        this.emit({ type: 'skipped', file });
        return code;
      }
      const key = this.cache?.key(file, isModule, code);
      if (key !== undefined) {
        const hit = this.cache?.get(key);
        if (hit) {
          this.emit({
            type: 'rewritten',
            file,
            changed: hit.changed,
            cacheHit: true,
            literals: hit.literals,
            stats: hit.stats,
          });
          return hit.changed ? hit.code : code;
        }
      }
      let result: ReturnType<RewriteFn>;
      this.guard.busy = true;
      try {
        result = this.rewriter()(code, { filename: url ?? file, isModule });
      } finally {
        this.guard.busy = false;
      }
      if (!result.ok) {
        this.emit({ type: 'failed', file, reason: result.reason });
        return code;
      }
      if (key !== undefined) {
        this.cache?.set(key, {
          code: result.changed ? result.code : '',
          changed: result.changed,
          literals: result.literals,
          stats: result.stats,
        });
      }
      this.emit({
        type: 'rewritten',
        file,
        changed: result.changed,
        cacheHit: false,
        literals: result.literals,
        stats: result.stats,
      });
      return result.code;
    } catch (err) {
      try {
        this.emit({
          type: 'failed',
          file,
          reason: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        });
      } catch {
        // The sink is the caller's; its failure must not stop the original code from loading.
      }
      return code;
    }
  }

  /**
   * The parser and editor are loaded on the first cache miss: a start-up served entirely from
   * the cache never pays for loading them.
   */
  private rewriter(): RewriteFn {
    this.rewriteFn ??= (require('./rewrite.js') as typeof import('./rewrite.js')).rewrite;
    return this.rewriteFn;
  }
}

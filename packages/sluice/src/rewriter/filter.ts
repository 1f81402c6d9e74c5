// Which files the rewriter touches: include/exclude globs over absolute paths, node_modules
// excluded by default, Sluice's own files never.
import { sep } from 'node:path';

export interface FileFilterOptions {
  /** Globs of files to rewrite (absolute-path globs; `**` crosses directories). Default: all. */
  include?: readonly string[];
  /** Globs of files to leave alone. Default: `**\/node_modules/**`. */
  exclude?: readonly string[];
  /** Directories never rewritten whatever the globs say (Sluice itself). */
  alwaysExclude?: readonly string[];
}

export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**'];

const REWRITABLE_EXT = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;

/** Compiles a glob to a RegExp: `**` any path (crossing `/`), `*` and `?` within a segment. */
export function globToRegExp(glob: string): RegExp {
  const g = glob.replaceAll('\\', '/');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` matches everything below.
        if (g[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = g.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${g
          .slice(i + 1, close)
          .split(',')
          .map((alt) => globToRegExp(alt).source.slice(1, -1))
          .join('|')})`;
        i = close;
      }
    } else re += /[.+^$()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  // A relative glob matches at any depth, like .gitignore patterns.
  return new RegExp(
    `^${g.startsWith('/') || g.startsWith('**') || /^[a-z]:/i.test(g) ? '' : '(?:.*/)?'}${re}$`,
  );
}

export class FileFilter {
  private readonly include: RegExp[] | undefined;
  private readonly exclude: RegExp[];
  private readonly always: string[];

  constructor(options: FileFilterOptions = {}) {
    this.include =
      options.include && options.include.length > 0 ? options.include.map(globToRegExp) : undefined;
    this.exclude = (options.exclude ?? DEFAULT_EXCLUDE).map(globToRegExp);
    this.always = (options.alwaysExclude ?? []).map((d) => (d.endsWith(sep) ? d : d + sep));
  }

  /** Whether a file (absolute path) should be rewritten. */
  accepts(file: string): boolean {
    if (!REWRITABLE_EXT.test(file)) return false;
    if (this.always.some((d) => file.startsWith(d))) return false;
    const p = file.replaceAll('\\', '/');
    if (this.include && !this.include.some((r) => r.test(p))) return false;
    return !this.exclude.some((r) => r.test(p));
  }
}

/**
 * Where a finding happened: the call stack at the sink, each frame mapped through source
 * maps (TypeScript compiled by tsc, run by tsx, bundled code), and the first frame that is
 * application code: not `node:` internals, not Sluice itself, not a library in node_modules.
 */
import { readFileSync } from 'node:fs';
import { findSourceMap, SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Frame {
  /** Absolute path (or the raw name for frames that are not files). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly function: string | undefined;
  readonly className: string | undefined;
}

export interface Location {
  /** Relative to the working directory, `/`-separated. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly method: string | undefined;
  readonly class: string | undefined;
}

/** The deepest stack captured: the default limit. */
export const MAX_FRAMES = 24;
const MAX_CACHED_MAPS = 500;

export interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getTypeName(): string | null;
  getScriptNameOrSourceURL?(): string | null;
}

export class FrameResolver {
  readonly #maps = new Map<string, SourceMap | null>();

  constructor(
    private readonly cwd: string,
    /** Directories whose frames are Sluice's own. */
    private readonly ownDirs: readonly string[],
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /**
   * The stack above `skip` (exclusive), at most `limit` frames; frames are mapped lazily,
   * only those needed.
   */
  capture(skip: (...args: never) => unknown, limit: number = MAX_FRAMES): CapturedStack {
    const prepare = Error.prepareStackTrace;
    const appLimit = Error.stackTraceLimit;
    const holder: { stack?: unknown } = {};
    try {
      Error.prepareStackTrace = (_e, sites) => sites;
      Error.stackTraceLimit = limit;
      Error.captureStackTrace(holder, skip);
      const sites = holder.stack as CallSiteLike[] | undefined;
      return new CapturedStack(this, Array.isArray(sites) ? sites : []);
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = appLimit;
    }
  }

  /** A call site's file name, `file://` URLs as paths. */
  siteFile(site: CallSiteLike): string {
    const file = site.getFileName() ?? site.getScriptNameOrSourceURL?.() ?? '<anonymous>';
    if (!file.startsWith('file://')) return file;
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }

  isApplicationFile(file: string): boolean {
    if (!path.isAbsolute(file)) return false;
    if (file.includes(`${path.sep}node_modules${path.sep}`)) return false;
    for (const dir of this.ownDirs) if (file.startsWith(dir)) return false;
    return true;
  }

  isOwnFile(file: string): boolean {
    return this.ownDirs.some((dir) => file.startsWith(dir));
  }

  toLocation(frame: Frame): Location {
    return {
      path: this.relative(frame.file),
      line: frame.line,
      column: frame.column,
      method: frame.function,
      class: frame.className,
    };
  }

  relative(file: string): string {
    const rel = path.relative(this.cwd, file);
    return rel.split(path.sep).join('/');
  }

  /** One call site as a frame, mapped through its source map. */
  frame(site: CallSiteLike, file: string = this.siteFile(site)): Frame {
    const line = site.getLineNumber() ?? 0;
    const column = site.getColumnNumber() ?? 0;
    const fn = site.getFunctionName() ?? undefined;
    let className: string | undefined;
    try {
      const t = site.getTypeName();
      className = t && t !== 'Object' && t !== 'global' && t !== 'undefined' ? t : undefined;
    } catch {
      className = undefined;
    }
    if (path.isAbsolute(file) && line > 0) {
      const mapped = this.#map(file, line, column);
      if (mapped) return { ...mapped, function: fn, className };
    }
    return { file, line, column, function: fn, className };
  }

  #map(
    file: string,
    line: number,
    column: number,
  ): { file: string; line: number; column: number } | undefined {
    const map = this.#sourceMap(file);
    if (!map) return undefined;
    const entry = map.findEntry(line - 1, Math.max(0, column - 1)) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    let source = entry.originalSource;
    if (source.startsWith('file://')) source = fileURLToPath(source);
    else if (!path.isAbsolute(source)) {
      const root = (map.payload as { sourceRoot?: string }).sourceRoot ?? '';
      source = path.resolve(path.dirname(file), root, source);
    }
    return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }

  #sourceMap(file: string): SourceMap | undefined {
    const cached = this.#maps.get(file);
    if (cached !== undefined) return cached ?? undefined;
    let map: SourceMap | null = null;
    try {
      map = findSourceMap(file) ?? this.#readMap(file);
    } catch (error) {
      this.onError(error);
    }
    if (this.#maps.size >= MAX_CACHED_MAPS) this.#maps.delete(this.#maps.keys().next().value as string);
    this.#maps.set(file, map);
    return map ?? undefined;
  }

  /** The map named by the file's `sourceMappingURL` comment (tsc output, bundles). */
  #readMap(file: string): SourceMap | null {
    let code: string;
    try {
      code = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const match = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/.exec(code.slice(-100_000).trimEnd());
    if (!match?.[1]) return null;
    const url = match[1];
    let json: string;
    const inline = /^data:application\/json;(?:charset=[^;,]+;)?base64,(.*)$/.exec(url);
    if (inline?.[1] !== undefined) json = Buffer.from(inline[1], 'base64').toString('utf8');
    else {
      const mapFile = url.startsWith('file://') ? fileURLToPath(url) : path.resolve(path.dirname(file), url);
      json = readFileSync(mapFile, 'utf8');
    }
    return new SourceMap(JSON.parse(json));
  }
}

/** A captured stack; frames are mapped on demand and cached. */
export class CapturedStack {
  readonly #frames: Array<Frame | undefined>;
  // Read from the call sites on demand: locating usually stops at the first few frames.
  readonly #files: Array<string | undefined>;

  constructor(
    private readonly resolver: FrameResolver,
    private readonly sites: readonly CallSiteLike[],
  ) {
    this.#frames = new Array(sites.length);
    this.#files = new Array(sites.length);
  }

  /** How many call sites were captured. */
  get size(): number {
    return this.sites.length;
  }

  #file(i: number): string {
    let file = this.#files[i];
    if (file === undefined) {
      file = this.resolver.siteFile(this.sites[i] as CallSiteLike);
      this.#files[i] = file;
    }
    return file;
  }

  #at(i: number): Frame {
    let frame = this.#frames[i];
    if (!frame) {
      frame = this.resolver.frame(this.sites[i] as CallSiteLike, this.#file(i));
      this.#frames[i] = frame;
    }
    return frame;
  }

  /** The first application frame. Frames of node: and Sluice are skipped without mapping. */
  locate(): Location | undefined {
    for (let i = 0; i < this.sites.length; i++) {
      const raw = this.#file(i);
      if (!path.isAbsolute(raw) || this.resolver.isOwnFile(raw)) continue;
      const frame = this.#at(i);
      if (this.resolver.isApplicationFile(frame.file)) return this.resolver.toLocation(frame);
    }
    return undefined;
  }

  /** The hooked function's caller (first frame outside node: and Sluice) when it is application code. */
  locateDirectCaller(): Location | undefined {
    for (let i = 0; i < this.sites.length; i++) {
      const raw = this.#file(i);
      if (!path.isAbsolute(raw) || this.resolver.isOwnFile(raw)) continue;
      const frame = this.#at(i);
      return this.resolver.isApplicationFile(frame.file) ? this.resolver.toLocation(frame) : undefined;
    }
    return undefined;
  }

  /** Every frame except Sluice's own, mapped. */
  frames(): Frame[] {
    const out: Frame[] = [];
    for (let i = 0; i < this.sites.length; i++) {
      if (!this.resolver.isOwnFile(this.#file(i))) out.push(this.#at(i));
    }
    return out;
  }
}

// Source maps: find the map a file arrived with (tsc, tsx, a bundler) and compose it with the
// rewriter's own, so that positions in rewritten code resolve to the original source.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';

export interface RawSourceMap {
  version: 3;
  file?: string;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

export interface SourceMapComment {
  /** Span of the whole comment, to blank it out in the output. */
  start: number;
  end: number;
  url: string;
}

const URL_RE = /^[#@]\s*sourceMappingURL=(\S+)\s*$/;

/** The last `//# sourceMappingURL=` comment among the parser's comments, if any. */
export function findSourceMapComment(
  code: string,
  comments: readonly { type: string; start: number; end: number }[],
): SourceMapComment | undefined {
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (!c) continue;
    const body = code.slice(c.start + 2, c.type === 'Line' ? c.end : c.end - 2);
    const m = URL_RE.exec(body.trim());
    if (m?.[1]) return { start: c.start, end: c.end, url: m[1] };
  }
  return undefined;
}

/**
 * Loads the map a comment points to: an inline `data:` URL, or a file next to the source.
 * Returns undefined when there is none or it cannot be read (positions then map to the file
 * as loaded, which is still correct for plain JavaScript).
 */
export function loadInputMap(url: string, filename: string): RawSourceMap | undefined {
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      if (comma < 0) return undefined;
      const meta = url.slice(5, comma);
      const payload = url.slice(comma + 1);
      const text = meta.endsWith(';base64')
        ? Buffer.from(payload, 'base64').toString('utf8')
        : decodeURIComponent(payload);
      return asMap(JSON.parse(text));
    }
    const file = localPath(filename);
    if (file === undefined) return undefined;
    const mapFile = url.startsWith('file:') ? fileURLToPath(url) : resolve(dirname(file), decodeURI(url));
    const map = asMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    if (map && dirname(mapFile) !== dirname(file)) {
      // Sources are relative to the map file; the composed map is inline in the source file.
      const root = resolve(dirname(mapFile), map.sourceRoot ?? '');
      map.sources = map.sources.map((s) => (s === null || isUrlOrAbsolute(s) ? s : resolve(root, s)));
      delete map.sourceRoot;
    }
    return map;
  } catch {
    return undefined;
  }
}

function localPath(filename: string): string | undefined {
  if (filename.startsWith('file:')) return fileURLToPath(filename);
  return isAbsolute(filename) ? filename : undefined;
}

function isUrlOrAbsolute(s: string): boolean {
  return isAbsolute(s) || /^[a-z][a-z0-9+.-]*:/i.test(s);
}

function asMap(value: unknown): RawSourceMap | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<RawSourceMap> & { sections?: unknown };
  if (m.version !== 3 || !Array.isArray(m.sources) || typeof m.mappings !== 'string') return undefined;
  return { ...m, names: Array.isArray(m.names) ? m.names : [] } as RawSourceMap;
}

type Segment = SourceMapMappings[number][number];

/**
 * Composes `outer` (rewritten -> loaded code) with `inner` (loaded code -> original source):
 * every segment of the outer map is resolved through the inner map's segment that covers it.
 */
export function composeMaps(
  outerMappings: SourceMapMappings,
  outerNames: readonly string[],
  inner: RawSourceMap,
): RawSourceMap {
  const innerLines = decode(inner.mappings);
  const names: string[] = [...inner.names];
  const nameIndex = new Map<string, number>(names.map((n, i) => [n, i]));
  const out: SourceMapMappings = [];
  for (const line of outerMappings) {
    const composed: Segment[] = [];
    for (const seg of line) {
      if (seg.length < 4) continue;
      const target = lookup(innerLines[seg[2] as number], seg[3] as number);
      if (!target || target.length < 4) continue;
      let name: number | undefined = target.length === 5 ? target[4] : undefined;
      if (name === undefined && seg.length === 5) {
        const n = outerNames[seg[4]];
        if (n !== undefined) {
          name = nameIndex.get(n);
          if (name === undefined) {
            name = names.push(n) - 1;
            nameIndex.set(n, name);
          }
        }
      }
      composed.push(
        name === undefined
          ? [seg[0], target[1] as number, target[2] as number, target[3] as number]
          : [seg[0], target[1] as number, target[2] as number, target[3] as number, name],
      );
    }
    out.push(composed);
  }
  const map: RawSourceMap = {
    version: 3,
    sources: inner.sources,
    names,
    mappings: encode(out),
  };
  if (inner.sourceRoot) map.sourceRoot = inner.sourceRoot;
  if (inner.sourcesContent) map.sourcesContent = inner.sourcesContent;
  return map;
}

/** The segment covering `column`: the last one that starts at or before it. */
function lookup(line: readonly Segment[] | undefined, column: number): Segment | undefined {
  if (!line || line.length === 0) return undefined;
  let lo = 0;
  let hi = line.length - 1;
  if ((line[0]?.[0] ?? 0) > column) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((line[mid]?.[0] ?? 0) <= column) lo = mid;
    else hi = mid - 1;
  }
  return line[lo];
}

export function inlineMapComment(map: RawSourceMap): string {
  return `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}

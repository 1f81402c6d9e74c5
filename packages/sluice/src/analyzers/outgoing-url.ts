/**
 * The URL of an outgoing request as one tainted text, and which of its parts untrusted data
 * controls. A URL string is split where a WHATWG parser would split it, but on the raw text,
 * so that tainted ranges keep their places; an options object ({protocol, auth, hostname or
 * host, port, path}, or undici's {origin, path}) is assembled into a URL with each field's
 * ranges shifted to its place, overriding the corresponding part of a URL given beside it.
 *
 * A range of a URL string controls the authority (scheme, userinfo, host, port) when it starts
 * before the authority's end or at the character that ends it: `'http://api' + x` lets `x`
 * choose `.evil.example/` as surely as `/users`. Likewise a range controls the path when it
 * starts before or at the `?`/`#` that ends the path. Separate option fields cannot spill
 * into each other: a tainted `path` option never changes the host.
 */
import { concat, sliceRanges } from '../taint/ranges.js';
import type { Range, TaintEngine } from '../taint/types.js';
import type { TaintedType } from '../vulnerability-types.js';
import { type TaintedText, vulnerableRanges } from './tainted-sink.js';

export interface OutgoingTarget {
  /** The URL as the request will use it (the evidence). */
  readonly url: TaintedText;
  /** Untrusted data can change the scheme, userinfo, host or port. */
  readonly authority: boolean;
  /** Untrusted data can change the path. */
  readonly path: boolean;
}

interface UrlParts {
  protocol?: TaintedText;
  auth?: TaintedText;
  host?: TaintedText;
  port?: TaintedText;
  path?: TaintedText;
  /** A range of the URL string reaches the character that ends its authority. */
  authorityOpen: boolean;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const SPECIAL = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

function slice(text: TaintedText, from: number, to: number): TaintedText {
  return { value: text.value.slice(from, to), ranges: sliceRanges(text.ranges, from, to) };
}

function join(pieces: readonly TaintedText[]): TaintedText {
  return {
    value: pieces.map((p) => p.value).join(''),
    ranges: concat(pieces.map((p) => ({ ranges: p.ranges, length: p.value.length }))),
  };
}

const plain = (value: string): TaintedText => ({ value, ranges: [] });

/** The first index at or after `from` of a character in `stops`, or the length. */
function indexOfAny(value: string, from: number, stops: string): number {
  for (let i = from; i < value.length; i++) if (stops.includes(value.charAt(i))) return i;
  return value.length;
}

/** Where the path ends: the first `?` or `#`, or the length. */
const pathEnd = (value: string, from: number): number => indexOfAny(value, from, '?#');

const startsBy = (ranges: readonly Range[], limit: number): boolean => ranges.some((r) => r.start <= limit);

interface Split {
  readonly parts: UrlParts;
  readonly pathOpen: boolean;
}

/** A URL string's parts, on the raw text (no normalisation), with their ranges. */
export function splitUrl(text: TaintedText): Split {
  const s = text.value;
  const scheme = SCHEME.exec(s)?.[0];
  const special = scheme !== undefined && SPECIAL.has(scheme.toLowerCase());
  const slashes = special ? '/\\' : '/';
  let start = scheme?.length ?? 0;
  const parts: UrlParts = { authorityOpen: false };
  if (scheme !== undefined) parts.protocol = slice(text, 0, scheme.length);
  let hasAuthority = special;
  if (s.charAt(start) === '/' && s.charAt(start + 1) === '/') hasAuthority = true;
  if (hasAuthority) while (start < s.length && slashes.includes(s.charAt(start))) start++;
  const authorityEnd = hasAuthority ? indexOfAny(s, start, `?#${slashes}`) : start;
  if (hasAuthority) {
    const at = s.lastIndexOf('@', authorityEnd - 1);
    let hostStart = start;
    if (at >= start) {
      parts.auth = slice(text, start, at);
      hostStart = at + 1;
    }
    const bracket = s.charAt(hostStart) === '[' ? s.indexOf(']', hostStart) : -1;
    const colon = s.indexOf(':', bracket >= 0 ? bracket : hostStart);
    const hostEnd = colon >= 0 && colon < authorityEnd ? colon : authorityEnd;
    parts.host = slice(text, hostStart, hostEnd);
    if (hostEnd < authorityEnd) parts.port = slice(text, hostEnd + 1, authorityEnd);
    parts.authorityOpen = startsBy(text.ranges, authorityEnd);
  }
  parts.path = slice(text, authorityEnd, s.length);
  const end = pathEnd(s, authorityEnd);
  const pathOpen = text.ranges.some((r) => r.end > authorityEnd && r.start <= end);
  return { parts, pathOpen };
}

export class OutgoingUrls {
  constructor(
    private readonly engine: () => TaintEngine | undefined,
    private readonly type: TaintedType,
  ) {}

  /** A string's unsanitised ranges; URLs by their href, Requests by their url. */
  text(value: unknown): TaintedText | undefined {
    let s: unknown = value;
    if (value instanceof URL) s = value.href;
    else if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { url?: unknown }).url === 'string'
    )
      s = (value as { url: string }).url;
    if (typeof s === 'number') return plain(String(s));
    if (typeof s !== 'string') return undefined;
    return { value: s, ranges: vulnerableRanges(this.engine(), s, this.type) ?? [] };
  }

  /**
   * The target of a request given as `url` (string, URL or Request), `options`, or both;
   * undefined when there is none to analyse. `defaults` fill a missing scheme and host (an
   * undici dispatcher has its own origin, unknown here: no default host).
   */
  target(
    url: unknown,
    options: unknown,
    defaults: { readonly protocol: string; readonly host?: string },
  ): OutgoingTarget | undefined {
    const whole = url === undefined ? undefined : this.text(url);
    const fields = typeof options === 'object' && options !== null ? this.#fields(options) : undefined;
    if (whole !== undefined && fields === undefined) {
      const { parts, pathOpen } = splitUrl(whole);
      return { url: whole, authority: controlsAuthority(parts), path: pathOpen };
    }
    if (fields === undefined) return undefined;
    const parts: UrlParts = whole !== undefined ? splitUrl(whole).parts : { authorityOpen: false };
    const open = parts.authorityOpen || fields.authorityOpen;
    Object.assign(parts, fields, { authorityOpen: open });
    if (parts.host === undefined && defaults.host === undefined) {
      // A dispatcher's own origin (undici Client#request): only the path is known.
      if (parts.path === undefined) return undefined;
      return { url: parts.path, authority: false, path: controlsPath(parts.path) };
    }
    const pieces: TaintedText[] = [parts.protocol ?? plain(defaults.protocol), plain('//')];
    if (parts.auth !== undefined) pieces.push(parts.auth, plain('@'));
    pieces.push(parts.host ?? plain(defaults.host ?? ''));
    if (parts.port !== undefined && parts.port.value !== '') pieces.push(plain(':'), parts.port);
    if (parts.path !== undefined) pieces.push(parts.path);
    return {
      url: join(pieces),
      authority: controlsAuthority(parts),
      path: parts.path !== undefined && controlsPath(parts.path),
    };
  }

  /** The URL fields an options object sets. */
  #fields(options: object): UrlParts | undefined {
    const o = options as Record<string, unknown>;
    const parts: UrlParts = { authorityOpen: false };
    let any = false;
    const origin = this.text(o.origin);
    if (origin !== undefined) {
      const split = splitUrl(origin).parts;
      for (const key of ['protocol', 'auth', 'host', 'port'] as const)
        if (split[key] !== undefined) parts[key] = split[key];
      parts.authorityOpen = split.authorityOpen;
      any = true;
    }
    const set = (key: 'protocol' | 'auth' | 'host' | 'port' | 'path', value: unknown) => {
      const text = value === undefined || value === null ? undefined : this.text(value);
      if (text === undefined) return;
      parts[key] = text;
      any = true;
    };
    set('protocol', o.protocol);
    set('auth', o.auth);
    // As Node: an empty hostname falls back to host.
    set('host', typeof o.hostname === 'string' && o.hostname !== '' ? o.hostname : o.host);
    set('port', o.port);
    set('path', o.path);
    return any ? parts : undefined;
  }
}

function controlsAuthority(parts: UrlParts): boolean {
  if (parts.authorityOpen) return true;
  return [parts.protocol, parts.auth, parts.host, parts.port].some(
    (p) => p !== undefined && p.ranges.length > 0,
  );
}

function controlsPath(path: TaintedText): boolean {
  return startsBy(path.ranges, pathEnd(path.value, 0));
}

/**
 * HEADER_INJECTION: a response header whose name is tainted, whose tainted value holds CR or
 * LF (a new header or body line, where a server lets it through), or whose tainted value alone
 * is dangerous in that header (DANGEROUS_HEADERS). Tainted values of other headers are
 * ordinary data (a request id, a language) and are not reported. Not reported either, as in
 * Datadog's analyzer: Location (the redirect analyzer's), the WebSocket handshake and
 * hop-by-hop headers, Set-Cookie built only from request cookies, Access-Control-* built only
 * from request headers (CORS preflight answers echo Access-Control-Request-Headers and Origin)
 * and a header echoing the request header of the same name, or named by a request header's
 * name. Evidence: `name: value`.
 */
import type { Range } from '../taint/types.js';
import { Analyzer } from './analyzer.js';
import { joinTainted, SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

/** Headers whose value alone, chosen by an attacker, changes what the browser does. */
export const DANGEROUS_HEADERS: ReadonlySet<string> = new Set([
  // How the body is read: text/html turns any reflected text into markup.
  'content-type',
  // Cookies the browser stores: session fixation, attributes dropped.
  'set-cookie',
  // The name (and extension) a download is saved under: reflected file download.
  'content-disposition',
  // `0; url=...`: a redirect (or a javascript: URL) outside the redirect analyzer's Location.
  'refresh',
  // rel=preload/prefetch/stylesheet: resources fetched from an attacker's host.
  'link',
  // Security policies an attacker would weaken.
  'content-security-policy',
  'content-security-policy-report-only',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
]);

/** Never reported for their value. */
const EXCLUDED_HEADERS: ReadonlySet<string> = new Set([
  'location',
  'sec-websocket-location',
  'sec-websocket-accept',
  'upgrade',
  'connection',
]);

function isDangerous(name: string): boolean {
  return DANGEROUS_HEADERS.has(name) || name.startsWith('access-control-');
}

function allFrom(ranges: readonly Range[], origin: string, name?: string): boolean {
  return ranges.every(
    (r) => r.source.origin === origin && (name === undefined || r.source.name.toLowerCase() === name),
  );
}

/** A value built only from what the request itself said for this header (see the file comment). */
function isReflection(name: string, ranges: readonly Range[]): boolean {
  if (name === 'set-cookie' && allFrom(ranges, 'http.request.cookie.value')) return true;
  if (name.startsWith('access-control-') && allFrom(ranges, 'http.request.header')) return true;
  return allFrom(ranges, 'http.request.header', name);
}

function holdsLineBreak(value: string, ranges: readonly Range[]): boolean {
  return ranges.some((r) => /[\r\n]/.test(value.slice(r.start, r.end)));
}

export class HeaderInjectionAnalyzer extends Analyzer {
  readonly type = 'HEADER_INJECTION';
  // writeHead passes headers to setHeader when some were set before: one finding per header.
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:http.server.response.header', ({ name, value }) => {
      if (typeof name !== 'string') return;
      for (const item of Array.isArray(value) ? value : [value]) this.#analyse(name, item);
    });
  }

  #analyse(name: string, value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const engine = this.deps.engine?.();
    const nameRanges = vulnerableRanges(engine, name, this.type);
    // A name the request itself sent as a header name is no injection (Node rejects names with
    // separators or line breaks). It also keeps the fallback engine, which knows taint by
    // value, from seeing the framework's own `Content-Length` as the request's header name.
    const nameTainted =
      nameRanges !== undefined && !allFrom(nameRanges, 'http.request.header.name', name.trim().toLowerCase());
    const valueRanges = vulnerableRanges(engine, value, this.type);
    if (!nameTainted && !this.#valueInjects(name.trim().toLowerCase(), String(value), valueRanges)) return;
    const evidence = joinTainted(engine, [name, value], ': ', this.type);
    if (!this.#seen.first(this.deps.contexts.current(), evidence.value)) return;
    this.deps.reporter.report({ type: this.type, evidence });
  }

  #valueInjects(name: string, value: string, ranges: readonly Range[] | undefined): boolean {
    if (ranges === undefined || EXCLUDED_HEADERS.has(name)) return false;
    if (holdsLineBreak(value, ranges)) return true;
    return isDangerous(name) && !isReflection(name, ranges);
  }
}

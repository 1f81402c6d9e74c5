/**
 * UNVALIDATED_REDIRECT: a Location header (set by any means, or given to express
 * res.redirect/res.location) with tainted characters, not sanitised for redirects, that can
 * decide where the browser goes. Taint after a fixed prefix that already settles the scheme and
 * host (`https://shop.example/`, `/account`, `?`, `#`) only chooses a place on that site and
 * is not reported; after `/` alone it is, since `'/' + '/evil.example'` leaves the site.
 * Ranges coming only from the Referer header are not reported (going back where the browser
 * came from, as express's `redirect('back')` does). One finding per target per request:
 * res.redirect calls res.location, which calls setHeader.
 */
import type { Range } from '../taint/types.js';
import { Analyzer } from './analyzer.js';
import { SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

/** A scheme followed by `//` (or the backslashes browsers read as slashes), or `//` alone. */
const AUTHORITY = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?[/\\]{2}[^/\\?#]*[/\\?#]/;

/** `url` without the leading control characters and spaces browsers strip. */
function trimStart(url: string): string {
  let i = 0;
  while (i < url.length && url.charCodeAt(i) <= 0x20) i++;
  return url.slice(i);
}

/** Whether `prefix`, whatever follows it, already fixes the target's scheme and host. */
export function fixesDestination(prefix: string): boolean {
  const p = trimStart(prefix).replace(/[\t\n\r]/g, '');
  if (AUTHORITY.test(p)) return true;
  const first = p.search(/[/\\?#]/);
  if (first === -1) return false;
  // A colon before the first delimiter makes a scheme (`javascript:`, `https:`).
  if (p.slice(0, first).includes(':')) return false;
  if (first > 0) return true;
  if (p[0] === '?' || p[0] === '#') return true;
  // `/x`: a path on this site; `/` or `//` alone: the next characters may name a host.
  return p.length > 1 && p[1] !== '/' && p[1] !== '\\';
}

function fromReferer(range: Range): boolean {
  return range.source.origin === 'http.request.header' && range.source.name.toLowerCase() === 'referer';
}

export class UnvalidatedRedirectAnalyzer extends Analyzer {
  readonly type = 'UNVALIDATED_REDIRECT';
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:http.server.response.header', ({ name, value }) => {
      if (typeof name !== 'string' || name.trim().toLowerCase() !== 'location') return;
      for (const target of Array.isArray(value) ? value : [value]) this.#analyse(target);
    });
  }

  #analyse(target: unknown): void {
    if (typeof target !== 'string') return;
    const ranges = vulnerableRanges(this.deps.engine?.(), target, this.type);
    if (ranges === undefined || ranges.every(fromReferer)) return;
    if (fixesDestination(target.slice(0, ranges[0]?.start ?? 0))) return;
    if (!this.#seen.first(this.deps.contexts.current(), target)) return;
    this.deps.reporter.report({ type: this.type, evidence: { value: target, ranges } });
  }
}

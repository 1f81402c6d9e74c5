/**
 * XSS: tainted text, not sanitised for XSS (escaping), written into an HTML response
 * (html-response.ts): a string given to res.write/res.end (http, https, http2) or express
 * res.send, which makes a string without a Content-Type text/html. The response's type is read
 * when the chunk is written: from the head already sent, else from the headers set so far
 * (a Buffer chunk's taint is not read).
 *
 * Templates (ejs, handlebars, pug): a compiled template's output carries no taint, so a render
 * is reported when a tainted string of its data appears in the output more often than the
 * engine's escaping returned it unchanged, and more often than the templates' own text and the
 * data's other strings hold it: an occurrence the escaping did not produce (`<%- %>`, `{{{ }}}`,
 * `!=`). Strings shorter than MIN_TEMPLATE_VALUE are left out (they occur in any markup).
 */
import type { ServerResponseLike } from '../channels.js';
import type { TaintEngine } from '../taint/types.js';
import { Analyzer } from './analyzer.js';
import { isHtmlResponse } from './html-response.js';
import { SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

export const MIN_TEMPLATE_VALUE = 3;
/** How much of a template's data is searched for tainted strings. */
const MAX_DEPTH = 6;
const MAX_NODES = 2_000;
/** Keys express puts into the render options that are not template data. */
const SKIPPED_KEYS: ReadonlySet<string> = new Set(['settings', 'cache', '_locals']);

function occurrences(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/** Every string in `data` (objects and arrays, bounded), tainted or not. */
function stringsIn(data: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  let nodes = 0;
  const visit = (value: unknown, depth: number): void => {
    if (nodes++ >= MAX_NODES) return;
    if (typeof value === 'string') out.push(value);
    else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH && !seen.has(value)) {
      seen.add(value);
      const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
      for (const [key, item] of entries) if (!SKIPPED_KEYS.has(String(key))) visit(item, depth + 1);
    }
  };
  visit(data, 0);
  return out;
}

export class XssAnalyzer extends Analyzer {
  readonly type = 'XSS';
  // express res.send may hand the same string to res.end; a template's value may be written twice.
  readonly #seen = new SeenPerRequest();
  /** Whether each response's head, once written, made it an HTML page. */
  readonly #html = new WeakMap<ServerResponseLike, boolean>();

  enable(): void {
    this.on('sluice:http.server.response.headers', ({ res, statusCode, headers }) => {
      this.#html.set(res, isHtmlResponse(statusCode, headers));
    });
    this.on('sluice:http.server.response.body', ({ res, chunk, contentType }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), chunk, this.type);
      if (ranges === undefined || typeof chunk !== 'string' || !this.#isHtml(res, contentType)) return;
      if (!this.#seen.first(this.deps.contexts.current(), chunk)) return;
      this.deps.reporter.report({ type: this.type, evidence: { value: chunk, ranges } });
    });
    this.on('sluice:template.render', ({ templates, locals, output, unchangedByEscaping }) => {
      if (typeof output !== 'string') return;
      const raw = this.#rawValue(
        this.deps.engine?.(),
        templates,
        stringsIn(locals),
        output,
        unchangedByEscaping,
      );
      if (raw === undefined || !this.#seen.first(this.deps.contexts.current(), raw.value)) return;
      this.deps.reporter.report({ type: this.type, evidence: raw });
    });
  }

  #isHtml(res: ServerResponseLike, contentType: string | undefined): boolean {
    if (contentType !== undefined) return isHtmlResponse(res.statusCode, { 'content-type': contentType });
    const sent = this.#html.get(res);
    if (sent !== undefined && res.headersSent) return sent;
    const type = (res as { getHeader?: (name: string) => unknown }).getHeader?.('content-type');
    return isHtmlResponse(res.statusCode, { 'content-type': type });
  }

  /** The first tainted data string the output holds unescaped. */
  #rawValue(
    engine: TaintEngine | undefined,
    templates: readonly string[],
    strings: readonly string[],
    output: string,
    unchanged: ReadonlyMap<string, number>,
  ) {
    const checked = new Set<string>();
    for (const value of strings) {
      if (value.length < MIN_TEMPLATE_VALUE || checked.has(value)) continue;
      const ranges = vulnerableRanges(engine, value, this.type);
      if (ranges === undefined) continue;
      checked.add(value);
      let expected = unchanged.get(value) ?? 0;
      for (const text of templates) expected += occurrences(text, value);
      for (const other of strings) if (other !== value) expected += occurrences(other, value);
      if (occurrences(output, value) > expected) return { value, ranges };
    }
    return undefined;
  }
}

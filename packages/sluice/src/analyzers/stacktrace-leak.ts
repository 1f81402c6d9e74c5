/**
 * STACKTRACE_LEAK: the body of a response to an analysed request contains a JavaScript
 * stack trace, i.e. two or more V8 frame lines (`at fn (/path/file.js:12:5)`, also HTML-escaped
 * as in Express's development error page). The first 64 KiB of each response are examined.
 */
import type { ServerResponseLike } from '../channels.js';
import { Analyzer } from './analyzer.js';

const FRAME =
  /\bat\s+(?:[^\s()<>]+(?:\s+\[as [^\]]+\])?\s+)?\(?(?:\/|[A-Za-z]:\\|file:\/\/|node:)[^()\s<>]*:\d+(?::\d+)?\)?/g;
const ONE_FRAME = new RegExp(FRAME.source);
/**
 * Every frame names its file after `(` or `at `: an absolute path, a `file:` URL, a `node:`
 * module or a drive letter, possibly HTML-escaped. A body without any of these is passed over
 * without decoding it as text.
 */
const FILE_MARKER = /\(\/|at \/|file:|node:|:\\|&#x2F;|&#47;|at&nbsp;\//;
const LIMIT = 64 * 1024;

export function mayHoldFrames(bytes: Buffer): boolean {
  // One regular-expression pass over a Latin-1 copy (the markers are ASCII, which UTF-8's
  // multi-byte sequences never contain) instead of one byte search per marker: 18 against
  // 28 µs for a 22 KB page.
  return FILE_MARKER.test(bytes.toString('latin1'));
}

export function findStackFrames(text: string): string[] {
  // Most bodies hold no frame at all: one test, no match objects, no decoded copy.
  const decoded = text.includes('&') ? text.replace(/&nbsp;/g, ' ').replace(/&#x2F;|&#47;/g, '/') : text;
  if (!ONE_FRAME.test(decoded)) return [];
  return [...decoded.matchAll(FRAME)].map((m) => m[0]);
}

export class StacktraceLeakAnalyzer extends Analyzer {
  readonly type = 'STACKTRACE_LEAK';
  readonly #examined = new WeakMap<ServerResponseLike, number>();

  enable(): void {
    this.on('sluice:http.server.response.body', ({ res, chunk, encoding, contentType }) => {
      // A framework's send (it names the Content-Type it will set) writes the same body through
      // res.write/end, which is examined then.
      if (contentType !== undefined) return;
      const context = this.deps.contexts.forResponse(res);
      if (!context) return;
      const seen = this.#examined.get(res) ?? 0;
      if (seen >= LIMIT) return;
      let text: string;
      if (typeof chunk === 'string') text = chunk.slice(0, LIMIT - seen);
      else if (chunk instanceof Uint8Array) {
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, LIMIT - seen));
        if (!mayHoldFrames(bytes)) {
          this.#examined.set(res, seen + bytes.length);
          return;
        }
        text = bytes.toString(encoding === 'latin1' ? 'latin1' : 'utf8');
      } else return;
      const frames = findStackFrames(text);
      if (frames.length < 2) {
        this.#examined.set(res, seen + text.length);
        return;
      }
      this.#examined.set(res, LIMIT);
      this.deps.reporter.report({
        type: this.type,
        evidence: { value: frames[0] },
        locationOptional: true,
        context,
      });
    });
  }
}

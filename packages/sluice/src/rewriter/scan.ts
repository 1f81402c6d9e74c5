// Small lexical helpers over the original source text. The AST gives node spans but not the
// positions of operators and parentheses between them, which the rewriter edits in place.

/** Index of the first character at or after `from` that is neither whitespace nor a comment. */
export function skipTrivia(code: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = code.charCodeAt(i);
    if (c === 0x2f /* / */ && i + 1 < to) {
      const n = code.charCodeAt(i + 1);
      if (n === 0x2f) {
        while (i < to && !isLineTerminator(code.charCodeAt(i))) i++;
        continue;
      }
      if (n === 0x2a) {
        const close = code.indexOf('*/', i + 2);
        i = close < 0 ? to : close + 2;
        continue;
      }
      return i;
    }
    if (isWhitespace(c) || isLineTerminator(c)) {
      i++;
      continue;
    }
    return i;
  }
  return i;
}

/** Position of `token` in [from, to), skipping trivia; -1 when something else comes first. */
export function findToken(code: string, token: string, from: number, to: number): number {
  const at = skipTrivia(code, from, to);
  return code.startsWith(token, at) ? at : -1;
}

/** The line terminators inside [from, to), to keep line numbers when the span is replaced. */
export function lineBreaks(code: string, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x0a || c === 0x2028 || c === 0x2029) out += code[i];
    else if (c === 0x0d) out += code.charCodeAt(i + 1) === 0x0a ? '' : '\r';
  }
  return out;
}

export function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

function isWhitespace(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0xa0 ||
    c === 0xfeff ||
    (c > 0x7f && /\s/.test(String.fromCharCode(c)))
  );
}

/** True when an identifier-like insertion right after `code[at - 1]` would merge with it. */
export function needsSpaceBefore(code: string, at: number): boolean {
  if (at === 0) return false;
  const c = code.charCodeAt(at - 1);
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x24 ||
    c === 0x5f ||
    c === 0x5c ||
    c > 0x7f
  );
}

/** Start offsets of each line, for 1-based line/column look-ups. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(code: string) {
    for (let i = 0; i < code.length; i++) {
      const c = code.charCodeAt(i);
      if (c === 0x0a || c === 0x2028 || c === 0x2029) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (code.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** 1-based line and 1-based column of an offset, as in stack traces. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

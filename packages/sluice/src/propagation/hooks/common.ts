/** Shared steps of the propagation hooks. */
import { isObject } from '../coerce.js';
import { propagateByLocating, propagatePiece, type Variants } from '../locate.js';
import type { Tainter } from '../tainter.js';

// Captured when the hooks module loads, before any wrapping: the hooks' own encoding and
// decoding must not go through the wrapped globals.
const decode = decodeURIComponent;
const encode = encodeURIComponent;
const encodeUri = encodeURI;

/** The strings among `args`, including those one or two levels inside plain objects and arrays. */
export function stringInputs(args: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') out.push(value);
    else if (depth < 2 && isObject(value) && typeof value !== 'function') {
      const values = Array.isArray(value) ? value : Object.values(value as object);
      for (const v of values) visit(v, depth + 1);
    }
  };
  for (const arg of args) visit(arg, 0);
  return out;
}

/** True when any of `inputs` is a tainted string. */
export function anyTainted(t: Tainter, inputs: readonly unknown[]): boolean {
  for (const input of inputs) if (t.ranges(input) !== undefined) return true;
  return false;
}

/** A string result tainted from the tainted strings among the inputs; anything else untouched. */
export function propagateResult(
  t: Tainter,
  result: unknown,
  inputs: readonly unknown[],
  variants?: Variants,
): unknown {
  if (typeof result !== 'string' || result.length === 0 || !anyTainted(t, inputs)) return result;
  return propagateByLocating(t, result, inputs, variants);
}

/** A string result that is a piece of the inputs (a URL component, a decoded value). */
export function propagatePieceResult(
  t: Tainter,
  result: unknown,
  inputs: readonly unknown[],
  variants?: Variants,
): unknown {
  if (typeof result !== 'string' || result.length === 0 || !anyTainted(t, inputs)) return result;
  return propagatePiece(t, result, inputs, variants);
}

/**
 * The string fields of an object the hooked function just created (path.parse, url.parse,
 * querystring.parse), tainted from the inputs; arrays and objects one level down too.
 */
export function propagateFields(
  t: Tainter,
  result: unknown,
  inputs: readonly unknown[],
  variants?: Variants,
  depth = 0,
): void {
  if (!isObject(result) || !anyTainted(t, inputs)) return;
  const record = result as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'string') record[key] = propagatePiece(t, value, inputs, variants);
    else if (depth < 1 && isObject(value)) propagateFields(t, value, inputs, variants, depth + 1);
  }
}

/** Decoded forms of percent-encoded (or form-encoded) text, for locating decoded values. */
export const decodedForms: Variants = (text) => {
  const forms: string[] = [];
  for (const candidate of [text.replace(/\+/g, ' '), text]) {
    try {
      const decoded = decode(candidate);
      if (decoded !== text && !forms.includes(decoded)) forms.push(decoded);
    } catch {
      // Malformed escapes: the built-in decoders keep such text as it is.
    }
  }
  return forms;
};

/** Encoded forms of text, for locating it in URLs and query strings. */
export const encodedForms: Variants = (text) => {
  const forms = new Set<string>();
  try {
    forms.add(encode(text));
    forms.add(encodeUri(text));
    forms.add(encode(text).replace(/%20/g, '+'));
  } catch {
    // A lone surrogate cannot be encoded.
  }
  forms.delete(text);
  return [...forms];
};

export const allForms: Variants = (text) => [...decodedForms(text), ...encodedForms(text)];

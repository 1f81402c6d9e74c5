// The load-time rewriter: turns string operations into calls of the propagation runtime
// (packages/sluice/src/propagation/contract.ts), keeping every line where it was.
//
// Edits are insertions around existing nodes plus in-place replacement of the operator or
// `.method(` between them, so nested rewrites compose and each edit stays on its own line.
// Nodes are visited parent first: an outer opening is inserted before an inner one at the
// same offset (appendRight), and an outer closing after an inner one (prependLeft).
import { encode } from '@jridgewell/sourcemap-codec';
import MagicString from 'magic-string';
import { type ParserOptions, parseSync, rawTransferSupported, visitorKeys } from 'oxc-parser';
import { RUNTIME_LOCAL, STRING_METHODS } from '../propagation/contract.js';
import { isRewritten, RUNTIME_BINDING, RUNTIME_IMPORT } from './binding.js';
import { findToken, LineIndex, lineBreaks, needsSpaceBefore, skipTrivia } from './scan.js';
import {
  composeMaps,
  findSourceMapComment,
  inlineMapComment,
  loadInputMap,
  type RawSourceMap,
} from './source-map.js';

export interface RewriteOptions {
  /** Path or URL of the file, used for the source map and to find a map file next to it. */
  filename: string;
  /** true: ES module; false: CommonJS; undefined: decided by the parser from the syntax. */
  isModule?: boolean;
  /** The map the code came with, when the caller already has it (else read from the code). */
  inputSourceMap?: RawSourceMap;
}

/** A string literal that a hardcoded-secret analyzer may want to look at. */
export interface StringLiteral {
  value: string;
  /** 1-based line and column, as in stack traces. */
  line: number;
  column: number;
  /** The variable or property the literal initialises, when it does (`const password = "..."`). */
  name?: string;
}

export interface RewriteStats {
  /** Rewritten operations by kind (plus, plusAssign, template, method, join, json, string, ...). */
  rewritten: Record<string, number>;
  /** Operations deliberately left alone, by reason. */
  leftAlone: Record<string, number>;
}

export interface RewriteSuccess {
  ok: true;
  code: string;
  /** The composed map of the output (also inline in `code`), undefined when nothing changed. */
  map: RawSourceMap | undefined;
  changed: boolean;
  stats: RewriteStats;
  literals: StringLiteral[];
}

export interface RewriteFailure {
  ok: false;
  /** Why the file could not be rewritten (first parse error, or the internal error). */
  reason: string;
}

export type RewriteResult = RewriteSuccess | RewriteFailure;

export { RUNTIME_BINDING, RUNTIME_IMPORT };

const MIN_LITERAL_LENGTH = 8;
const METHOD_SET: ReadonlySet<string> = new Set<string>(STRING_METHODS);
const R = RUNTIME_LOCAL;

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Comment {
  type: string;
  start: number;
  end: number;
}

// Raw transfer (Node >= 22) hands the AST over through shared memory instead of JSON text:
// deserialising the AST is most of the rewriter's cost.
const RAW_TRANSFER = rawTransferSupported();

const keysOf = visitorKeys as Record<string, readonly string[] | undefined>;

export function rewrite(code: string, options: RewriteOptions): RewriteResult {
  try {
    return rewriteUnsafe(code, options);
  } catch (err) {
    return { ok: false, reason: `internal error: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function rewriteUnsafe(code: string, options: RewriteOptions): RewriteResult {
  const stats: RewriteStats = { rewritten: {}, leftAlone: {} };
  if (isRewritten(code)) {
    stats.leftAlone.alreadyRewritten = 1;
    return { ok: true, code, map: undefined, changed: false, stats, literals: [] };
  }
  // Declaring the binding would clash with the file's own use of the name: load it as it is.
  if (code.includes(R)) return { ok: false, reason: `the file uses the name ${R} itself` };
  const parserOptions: ParserOptions & { experimentalRawTransfer?: boolean } = {
    lang: 'js',
    sourceType: options.isModule === undefined ? 'unambiguous' : options.isModule ? 'module' : 'commonjs',
    preserveParens: true,
    experimentalRawTransfer: RAW_TRANSFER,
  };
  const parsed = parseSync(options.filename, code, parserOptions);
  const firstError = parsed.errors.find((e) => e.severity === 'Error') ?? parsed.errors[0];
  if (firstError) {
    const at = firstError.labels[0]?.start;
    const where = at === undefined ? '' : ` at ${formatPosition(new LineIndex(code), at)}`;
    return { ok: false, reason: `parse error${where}: ${firstError.message}` };
  }
  const program = parsed.program as unknown as Node;
  const editor = new Editor(code, stats);
  editor.visit(program, undefined, '');
  const literals = editor.literals;

  if (editor.edits === 0) return { ok: true, code, map: undefined, changed: false, stats, literals };

  const s = editor.s;
  s.prependRight(bindingPosition(code, program), editor.bindingText(program));

  const comment = findSourceMapComment(code, parsed.comments as Comment[]);
  const input = options.inputSourceMap ?? (comment ? loadInputMap(comment.url, options.filename) : undefined);
  // Only our map may remain: a second sourceMappingURL comment would shadow or confuse it.
  if (comment) s.overwrite(comment.start, comment.end, '');

  // 'boundary': a mapping at every word boundary, which is where stack positions point,
  // at a fraction of the cost of one per character.
  const decoded = s.generateDecodedMap({
    hires: 'boundary',
    source: options.filename,
    includeContent: false,
  });
  const map: RawSourceMap = input
    ? composeMaps(decoded.mappings, decoded.names, input)
    : { version: 3, sources: [options.filename], names: decoded.names, mappings: encode(decoded.mappings) };
  const body = s.toString();
  const out = `${body}${body.endsWith('\n') ? '' : '\n'}${inlineMapComment(map)}\n`;
  return { ok: true, code: out, map, changed: true, stats, literals };
}

function formatPosition(lines: LineIndex, offset: number): string {
  const p = lines.position(offset);
  return `${p.line}:${p.column}`;
}

/**
 * Where the runtime binding goes: after the directive prologue ('use strict' must stay the
 * first statement), else at the start of the first line after a hashbang, else at offset 0.
 */
function bindingPosition(code: string, program: Node): number {
  const body = program.body as Node[];
  let last: Node | undefined;
  for (const stmt of body) {
    if (stmt.type === 'ExpressionStatement' && typeof stmt.directive === 'string') last = stmt;
    else break;
  }
  if (last) return last.end;
  const hashbang = program.hashbang as Node | null | undefined;
  if (hashbang) {
    const nl = code.slice(hashbang.end).search(/\r\n|[\n\r\u2028\u2029]/);
    if (nl < 0) return code.length;
    return hashbang.end + nl + (code.startsWith('\r\n', hashbang.end + nl) ? 2 : 1);
  }
  return 0;
}

class Editor {
  readonly s: MagicString;
  readonly literals: StringLiteral[] = [];
  edits = 0;
  private withDepth = 0;
  private lineIndex: LineIndex | undefined;

  constructor(
    private readonly code: string,
    private readonly stats: RewriteStats,
  ) {
    this.s = new MagicString(code);
  }

  bindingText(program: Node): string {
    const body = program.body as Node[];
    const afterDirective = body[0]?.type === 'ExpressionStatement' && typeof body[0].directive === 'string';
    const binding = program.sourceType === 'module' ? RUNTIME_IMPORT : RUNTIME_BINDING;
    // After a directive without `;`, the binding must not continue its expression statement.
    return afterDirective ? `;${binding}` : binding;
  }

  visit(node: Node, parent: Node | undefined, key: string, noRewrite = false): void {
    switch (node.type) {
      case 'BinaryExpression':
        if (!noRewrite && node.operator === '+') this.plus(node);
        break;
      case 'AssignmentExpression':
        if (node.operator === '+=') this.plusAssign(node);
        break;
      case 'TemplateLiteral':
        if (!noRewrite && !(parent?.type === 'TaggedTemplateExpression' && key === 'quasi'))
          this.template(node);
        break;
      case 'TaggedTemplateExpression':
        this.taggedTemplate(node);
        break;
      case 'CallExpression':
        if (!noRewrite) this.call(node);
        break;
      case 'Identifier':
      case 'MemberExpression':
        if (!noRewrite && parent !== undefined && isEvalValue(node, parent, key)) this.evalRef(node);
        break;
      case 'Literal':
        if (typeof node.value === 'string') this.literal(node, parent, key);
        break;
      case 'ExpressionStatement':
        if (typeof node.directive === 'string') return;
        break;
      case 'WithStatement':
        this.withDepth++;
        this.children(node);
        this.withDepth--;
        return;
      case 'UnaryExpression':
        if (node.operator === 'delete') {
          this.count('leftAlone', 'deleteOperand');
          this.visit(node.argument as Node, node, 'argument', true);
          return;
        }
        break;
      case 'ParenthesizedExpression':
        // `delete (a.b())` is still the delete's operand.
        this.visit(node.expression as Node, node, 'expression', noRewrite);
        return;
    }
    this.children(node);
  }

  private children(node: Node): void {
    const keys = keysOf[node.type];
    if (!keys) return;
    for (const k of keys) {
      const child = node[k];
      if (child === null || typeof child !== 'object') continue;
      if (Array.isArray(child)) {
        for (const c of child) if (c !== null && typeof c === 'object') this.visit(c as Node, node, k);
      } else {
        this.visit(child as Node, node, k);
      }
    }
  }

  private count(kind: 'rewritten' | 'leftAlone', what: string): void {
    this.stats[kind][what] = (this.stats[kind][what] ?? 0) + 1;
    if (kind === 'rewritten') this.edits++;
  }

  /** Inserts an identifier-led prefix before `at`, separated from a preceding word if needed. */
  private open(at: number, text: string): void {
    this.s.appendRight(at, needsSpaceBefore(this.code, at) ? ` ${text}` : text);
  }

  private close(at: number, text = ')'): void {
    this.s.prependLeft(at, text);
  }

  /** `a + b` -> `__sluice$.plus(a, b)`; only the `+` between the operands is replaced. */
  private plus(node: Node): void {
    const left = node.left as Node;
    const right = node.right as Node;
    if (isConstant(left) && isConstant(right)) {
      this.count('leftAlone', 'constantPlus');
      return;
    }
    if (neverTaintedString(left) && neverTaintedString(right)) {
      this.count('leftAlone', 'numericPlus');
      return;
    }
    const op = findToken(this.code, '+', left.end, right.start);
    if (op < 0) throw new Error(`operator not found at ${left.end}`);
    this.open(node.start, `${R}.plus(`);
    this.s.update(op, op + 1, ',');
    this.close(node.end);
    this.count('rewritten', 'plus');
  }

  /**
   * `x += y` -> `x = __sluice$.plus(x, y)`. Member targets only where reading the target
   * again evaluates nothing twice: `name.prop`, `this.prop`, `this.#p`, `o["lit"]`.
   */
  private plusAssign(node: Node): void {
    const left = node.left as Node;
    const right = node.right as Node;
    let target: string | undefined;
    if (left.type === 'Identifier') {
      if (this.withDepth > 0) {
        this.count('leftAlone', 'plusAssignInWith');
        return;
      }
      target = left.name as string;
    } else if (left.type === 'MemberExpression' && this.isSimpleMember(left)) {
      target = this.code.slice(left.start, left.end);
      if (/[\n\r\u2028\u2029]|\/[/*]/.test(target)) target = undefined;
    }
    if (target === undefined) {
      this.count('leftAlone', 'plusAssignTarget');
      return;
    }
    const op = findToken(this.code, '+=', left.end, right.start);
    if (op < 0) throw new Error(`operator not found at ${left.end}`);
    this.s.update(op, op + 2, `= ${R}.plus(${target},`);
    this.close(node.end);
    this.count('rewritten', 'plusAssign');
  }

  private isSimpleMember(m: Node): boolean {
    if (m.optional) return false;
    const object = m.object as Node;
    const objectOk =
      object.type === 'ThisExpression' || (object.type === 'Identifier' && this.withDepth === 0);
    if (!objectOk) return false;
    const property = m.property as Node;
    if (!m.computed) return property.type === 'Identifier' || property.type === 'PrivateIdentifier';
    return (
      property.type === 'Literal' &&
      (typeof property.value === 'string' || typeof property.value === 'number')
    );
  }

  /**
   * `` `a${x}b` `` -> `` __sluice$.tpl`a${x}b` ``: a tagged call receives exactly the cooked
   * strings and the values, and the engine caches the strings array per site.
   */
  private template(node: Node): void {
    if ((node.expressions as Node[]).length === 0) return;
    this.open(node.start, `${R}.tpl`);
    this.count('rewritten', 'template');
  }

  private taggedTemplate(node: Node): void {
    const tag = node.tag as Node;
    if (
      tag.type === 'MemberExpression' &&
      !tag.computed &&
      !tag.optional &&
      (tag.object as Node).type === 'Identifier' &&
      (tag.object as Node).name === 'String' &&
      (tag.property as Node).name === 'raw'
    ) {
      // String.raw`...` -> __sluice$.stringRaw.bind(void 0, String)`...` (same site, same strings).
      const object = tag.object as Node;
      this.open(tag.start, `${R}.stringRaw.bind(void 0, `);
      this.s.update(object.end, tag.end, `)${lineBreaks(this.code, object.end, tag.end)}`);
      this.count('rewritten', 'stringRaw');
    } else {
      this.count('leftAlone', 'taggedTemplate');
    }
  }

  private call(node: Node): void {
    const callee = node.callee as Node;
    const args = node.arguments as Node[];
    if (callee.type === 'Identifier') {
      if (node.optional) return;
      if (callee.name === 'String') this.callWithCallee(node, callee, 'string');
      else if (callee.name === 'eval' && args[0] && args[0].type !== 'SpreadElement') {
        this.open(args[0].start, `${R}.evalArg(`);
        this.close(args[0].end);
        this.count('rewritten', 'eval');
      }
      return;
    }
    if (callee.type !== 'MemberExpression' || callee.computed) return;
    const property = callee.property as Node;
    if (property.type !== 'Identifier') return;
    const name = property.name as string;
    const object = callee.object as Node;
    let helper: string | undefined;
    if (METHOD_SET.has(name)) helper = name;
    else if (name === 'eval') helper = 'evalMethod';
    else if (name === 'join') helper = 'join';
    else if (object.type === 'Identifier' && object.name === 'JSON') {
      if (name === 'parse') helper = 'jsonParse';
      else if (name === 'stringify') helper = 'jsonStringify';
    }
    if (helper === undefined) return;
    if (object.type === 'Super') {
      this.count('leftAlone', 'superCall');
      return;
    }
    // Inside an optional chain the call may be short-circuited away; hoisting its receiver
    // into an argument would evaluate and call what the original skipped.
    if (node.optional || shortCircuits(callee)) {
      this.count('leftAlone', 'optionalChain');
      return;
    }
    if (isConstant(object) && args.every(isConstant)) {
      this.count('leftAlone', 'constantCall');
      return;
    }
    this.callWithReceiver(node, object, callee, helper);
  }

  /** `recv.m(args)` -> `__sluice$.m(recv, args)`: replaces `.m(` between receiver and args. */
  private callWithReceiver(node: Node, object: Node, callee: Node, helper: string): void {
    const paren = findToken(this.code, '(', callee.end, node.end);
    if (paren < 0) throw new Error(`call parenthesis not found at ${callee.end}`);
    const hasArgs = (node.arguments as Node[]).length > 0;
    this.open(node.start, `${R}.${helper}(`);
    this.s.update(object.end, paren + 1, `${hasArgs ? ', ' : ''}${lineBreaks(this.code, object.end, paren)}`);
    this.count(
      'rewritten',
      helper === 'jsonParse' || helper === 'jsonStringify'
        ? 'json'
        : helper === 'join' || helper === 'evalMethod'
          ? helper
          : 'method',
    );
  }

  /**
   * `eval` or `o.eval` read as a value (`(0, eval)`, `const e = eval`, `f(globalThis.eval)`)
   * -> `__sluice$.evalRef(eval)`: the built-in eval becomes a function that reports its code
   * and evaluates it indirectly, as the value would have. Never the callee of a direct eval.
   */
  private evalRef(node: Node): void {
    this.open(node.start, `${R}.evalRef(`);
    this.close(node.end);
    this.count('rewritten', 'evalRef');
  }

  /** `String(x)` -> `__sluice$.string(String, x)`: the callee itself is the first argument. */
  private callWithCallee(node: Node, callee: Node, helper: string): void {
    const paren = findToken(this.code, '(', callee.end, node.end);
    if (paren < 0) throw new Error(`call parenthesis not found at ${callee.end}`);
    const hasArgs = (node.arguments as Node[]).length > 0;
    this.open(node.start, `${R}.${helper}(`);
    this.s.update(paren, paren + 1, hasArgs ? ', ' : '');
    this.count('rewritten', helper);
  }

  private literal(node: Node, parent: Node | undefined, key: string): void {
    const value = node.value as string;
    if (value.length < MIN_LITERAL_LENGTH || !parent) return;
    if (key === 'source' || key === 'key' || parent.type === 'ImportAttribute') return;
    if (
      parent.type === 'CallExpression' &&
      (parent.callee as Node).type === 'Identifier' &&
      (parent.callee as Node).name === 'require'
    )
      return;
    this.lineIndex ??= new LineIndex(this.code);
    const { line, column } = this.lineIndex.position(node.start);
    const literal: StringLiteral = { value, line, column };
    const name = initialisedName(parent, key);
    if (name !== undefined) literal.name = name;
    this.literals.push(literal);
  }
}

/** The variable or property a literal is the initialiser of. */
function initialisedName(parent: Node, key: string): string | undefined {
  switch (parent.type) {
    case 'VariableDeclarator':
      return key === 'init' ? identifierName(parent.id as Node) : undefined;
    case 'Property':
    case 'PropertyDefinition':
      return key === 'value' && !parent.computed ? identifierName(parent.key as Node) : undefined;
    case 'AssignmentExpression':
    case 'AssignmentPattern': {
      if (key !== 'right') return undefined;
      const left = parent.left as Node;
      if (left.type === 'MemberExpression' && !left.computed) return identifierName(left.property as Node);
      return identifierName(left);
    }
    default:
      return undefined;
  }
}

function identifierName(n: Node): string | undefined {
  if (n.type === 'Identifier' || n.type === 'PrivateIdentifier') return n.name as string;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  return undefined;
}

/**
 * Value positions where `eval` (or a plain `o.eval`) is read for later use, not called
 * directly: a sequence element (`(0, eval)`), an initialiser, an assigned value, an argument,
 * an array element, a branch of `?:`/`||`, a returned value. `(eval)(x)` stays a direct eval:
 * a parenthesised callee is not among these positions.
 */
const EVAL_VALUE_KEYS: Readonly<Record<string, readonly string[]>> = {
  SequenceExpression: ['expressions'],
  VariableDeclarator: ['init'],
  AssignmentExpression: ['right'],
  AssignmentPattern: ['right'],
  CallExpression: ['arguments'],
  NewExpression: ['arguments'],
  ArrayExpression: ['elements'],
  ConditionalExpression: ['consequent', 'alternate'],
  LogicalExpression: ['left', 'right'],
  ReturnStatement: ['argument'],
  ArrowFunctionExpression: ['body'],
};

function isEvalValue(node: Node, parent: Node, key: string): boolean {
  if (!EVAL_VALUE_KEYS[parent.type]?.includes(key)) return false;
  if (node.type === 'Identifier') return node.name === 'eval';
  return (
    !node.computed &&
    !node.optional &&
    (node.property as Node).type === 'Identifier' &&
    (node.property as Node).name === 'eval' &&
    (node.object as Node).type !== 'Super' &&
    !shortCircuits(node)
  );
}

/** True when some link of the chain below `node` is optional (`a?.b`, `f?.()`). */
function shortCircuits(node: Node): boolean {
  let n: Node | undefined = node;
  while (n) {
    if (n.type === 'MemberExpression') {
      if (n.optional) return true;
      n = n.object as Node;
    } else if (n.type === 'CallExpression') {
      if (n.optional) return true;
      n = n.callee as Node;
    } else {
      return false;
    }
  }
  return false;
}

const NON_STRING_UNARY = new Set(['-', '+', '~', '!', 'void', 'typeof', 'delete']);

/**
 * Expressions whose value is never a tainted string: numbers from arithmetic, counters,
 * `.length`, literals. A `+` of two of them (`i + 1`, `a.length + 2`) cannot carry taint, so
 * leaving it alone loses nothing and keeps hot numeric code free of helper calls.
 */
function neverTaintedString(n: Node): boolean {
  switch (n.type) {
    case 'Literal':
      return true;
    case 'ParenthesizedExpression':
      return neverTaintedString(n.expression as Node);
    case 'UnaryExpression':
      return NON_STRING_UNARY.has(n.operator as string);
    case 'UpdateExpression':
      return true;
    case 'BinaryExpression':
      return (
        n.operator !== '+' || (neverTaintedString(n.left as Node) && neverTaintedString(n.right as Node))
      );
    case 'MemberExpression':
      return !n.computed && !n.optional && (n.property as Node).name === 'length';
    default:
      return false;
  }
}

/** Literals and expression-free templates: their result can never carry taint. */
function isConstant(n: Node): boolean {
  if (n.type === 'Literal') return true;
  if (n.type === 'TemplateLiteral') return (n.expressions as Node[]).length === 0;
  if (n.type === 'ParenthesizedExpression') return isConstant(n.expression as Node);
  return false;
}

// Exported for the dry-run tooling and tests that want the exact skip logic.
export { skipTrivia };

/**
 * NOSQL_MONGODB_INJECTION: a MongoDB filter or pipeline (mongodb driver, mongoose) in which
 * the request decides what is *interpreted*, not only which value is compared:
 *
 * - an object or array parsed from the request (JSON or urlencoded body, `?user[$ne]=x`
 *   query, params, cookies: the sources record them, RequestContext.requestObjects) where
 *   MongoDB reads keys as operators: the whole filter, a field's condition, a member of
 *   `$and`/`$or`/`$nor`, the argument of `$not`/`$elemMatch`, a pipeline stage, an
 *   aggregation expression. Its keys are the sender's, so `{"$ne": null}` or `$where` can be
 *   sent in place of a value, whatever this request happened to send;
 * - tainted text that MongoDB runs or matches as a pattern: `$where`, `$function.body`,
 *   `$accumulator` code, `$regex`.
 *
 * A tainted string compared as a value is not reported: under a field (`{ user: name }`),
 * under `$eq`, `$ne`, `$gt`/`$gte`/`$lt`/`$lte`, `$in`, `$nin`, `$all`, `$exists`, `$type`,
 * `$size`, `$mod`, `$text.$search`; a request array under a field or one of these operators
 * is a list of values, not operators. The evidence is the filter (or pipeline) as JSON, the
 * request's object or the tainted text marked as its source. Each request object and
 * tainted text is reported once per request (findOne calls find; mongoose hands its
 * conditions on to the driver).
 */
import type { RequestContext } from '../context/request-context.js';
import type { ObjectSource, RequestObjects } from '../sources/taint-value.js';
import type { Range, TaintEngine } from '../taint/types.js';
import { Analyzer } from './analyzer.js';
import { vulnerableRanges } from './tainted-sink.js';

const TYPE = 'NOSQL_MONGODB_INJECTION';
const MAX_DEPTH = 16;
const MAX_NODES = 2000;
/** Operators whose string value is code the server runs, or a pattern it matches. */
const CODE_KEYS: Readonly<Record<string, readonly string[]>> = {
  $function: ['body'],
  $accumulator: ['init', 'accumulate', 'merge', 'finalize'],
};

/** What a request already had reported: objects by identity, texts by value. */
interface Reported {
  readonly objects: WeakSet<object>;
  readonly texts: Set<string>;
}

/**
 * Renders a filter or pipeline as JSON while walking it the way MongoDB reads it, and
 * records the culprits (request objects in operator positions, tainted code) as ranges.
 */
class QueryWalk {
  text = '';
  readonly ranges: Range[] = [];
  readonly objects: object[] = [];
  readonly texts: string[] = [];
  #nodes = 0;

  constructor(
    private readonly engine: TaintEngine | undefined,
    private readonly requestObjects: RequestObjects | undefined,
  ) {}

  #source(value: unknown): ObjectSource | undefined {
    return value !== null && typeof value === 'object' ? this.requestObjects?.get(value) : undefined;
  }

  #exhausted(depth: number): boolean {
    return depth > MAX_DEPTH || ++this.#nodes > MAX_NODES;
  }

  /** A filter document: field names and query operators. */
  filter(doc: unknown, depth: number): void {
    if (this.#culpritObject(doc)) return;
    if (!isPlainObject(doc) || this.#exhausted(depth)) {
      this.literal(doc, depth);
      return;
    }
    this.#object(doc, (key, value) =>
      key.startsWith('$') ? this.#operator(key, value, depth + 1) : this.#condition(value, depth + 1),
    );
  }

  /** Renders `value` as a culprit when it is a request object (arrays included). */
  #culpritObject(value: unknown, arraysToo = false): boolean {
    const source = this.#source(value);
    if (source === undefined || (Array.isArray(value) && !arraysToo)) return false;
    const start = this.text.length;
    // Renders it, and records it and the request objects inside it as this walk's culprits.
    this.literal(value, 0, true);
    const rendered = this.text.slice(start);
    this.ranges.push({
      start,
      end: this.text.length,
      source: { origin: source.origin, name: source.name, value: rendered },
      marks: 0,
    });
    return true;
  }

  /** A field's condition: a value, or an object of operators. */
  #condition(value: unknown, depth: number): void {
    if (this.#culpritObject(value)) return;
    if (
      !isPlainObject(value) ||
      this.#exhausted(depth) ||
      !Object.keys(value).some((k) => k.startsWith('$'))
    ) {
      this.literal(value, depth);
      return;
    }
    this.#object(value, (key, v) =>
      key.startsWith('$') ? this.#operator(key, v, depth + 1) : this.literal(v, depth),
    );
  }

  #operator(key: string, value: unknown, depth: number): void {
    switch (key) {
      case '$where':
      case '$regex':
        this.#code(value, depth);
        return;
      case '$and':
      case '$or':
      case '$nor':
        if (Array.isArray(value)) this.#array(value, (item) => this.filter(item, depth + 1));
        else this.filter(value, depth);
        return;
      case '$not':
        this.#condition(value, depth);
        return;
      case '$elemMatch':
        this.filter(value, depth);
        return;
      case '$expr':
        this.expression(value, depth);
        return;
      default:
        this.literal(value, depth);
    }
  }

  /** Text the server runs or matches as a pattern. */
  #code(value: unknown, depth: number): void {
    const ranges = vulnerableRanges(this.engine, value, TYPE);
    if (ranges === undefined || typeof value !== 'string') {
      this.literal(value, depth);
      return;
    }
    const at = this.text.length;
    this.text += JSON.stringify(value);
    // Offsets move by the opening quote and by any escapes before them.
    const offset = (i: number) => at + JSON.stringify(value.slice(0, i)).length - 1;
    for (const r of ranges) this.ranges.push({ ...r, start: offset(r.start), end: offset(r.end) });
    this.texts.push(value);
  }

  /** An aggregation expression. Tainted field paths (`"$password"`) are not followed. */
  expression(value: unknown, depth: number): void {
    if (this.#culpritObject(value, true)) return;
    if (this.#exhausted(depth)) {
      this.literal(value, depth);
      return;
    }
    if (Array.isArray(value)) {
      this.#array(value, (item) => this.expression(item, depth + 1));
      return;
    }
    if (!isPlainObject(value)) {
      this.literal(value, depth);
      return;
    }
    this.#object(value, (key, v) => {
      const codeKeys = CODE_KEYS[key];
      if (key === '$literal') this.literal(v, depth);
      else if (codeKeys && isPlainObject(v) && !this.#source(v))
        this.#object(v, (k, x) =>
          codeKeys.includes(k) ? this.#code(x, depth) : this.expression(x, depth + 1),
        );
      else this.expression(v, depth + 1);
    });
  }

  /** An aggregation pipeline: `$match` stages are filters, the others hold expressions. */
  pipeline(stages: unknown, depth: number): void {
    if (this.#culpritObject(stages, true)) return;
    if (!Array.isArray(stages) || this.#exhausted(depth)) {
      this.literal(stages, depth);
      return;
    }
    this.#array(stages, (stage) => this.#stage(stage, depth + 1));
  }

  #stage(stage: unknown, depth: number): void {
    if (this.#culpritObject(stage)) return;
    if (!isPlainObject(stage)) {
      this.literal(stage, depth);
      return;
    }
    this.#object(stage, (key, body) => {
      if (key === '$match') this.filter(body, depth + 1);
      else if (key === '$facet' && isPlainObject(body) && !this.#source(body))
        this.#object(body, (_name, sub) => this.pipeline(sub, depth + 2));
      else if ((key === '$lookup' || key === '$unionWith') && isPlainObject(body) && !this.#source(body))
        this.#object(body, (k, v) =>
          k === 'pipeline' ? this.pipeline(v, depth + 2) : this.expression(v, depth + 2),
        );
      else if (key === '$graphLookup' && isPlainObject(body) && !this.#source(body))
        this.#object(body, (k, v) =>
          k === 'restrictSearchWithMatch' ? this.filter(v, depth + 2) : this.expression(v, depth + 2),
        );
      else this.expression(body, depth + 1);
    });
  }

  #object(value: object, each: (key: string, value: unknown) => void): void {
    this.text += '{';
    let first = true;
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (!first) this.text += ',';
      first = false;
      this.text += `${JSON.stringify(key)}:`;
      each(key, v);
    }
    this.text += '}';
  }

  #array(value: readonly unknown[], each: (item: unknown) => void): void {
    this.text += '[';
    value.forEach((item, i) => {
      if (i > 0) this.text += ',';
      each(item);
    });
    this.text += ']';
  }

  /** Plain JSON; inside a culprit, nested request objects count as reported with it. */
  literal(value: unknown, depth: number, inCulprit = false): void {
    if (inCulprit && value !== null && typeof value === 'object' && this.#source(value))
      this.objects.push(value);
    if (value === null || value === undefined) this.text += 'null';
    else if (typeof value === 'string') this.text += JSON.stringify(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      this.text += String(value);
    else if (typeof value === 'function') this.text += '"[function]"';
    else if (typeof value !== 'object' || this.#exhausted(depth)) this.text += '"…"';
    else if (Array.isArray(value)) this.#array(value, (item) => this.literal(item, depth + 1, inCulprit));
    else if (isPlainObject(value)) this.#object(value, (_k, v) => this.literal(v, depth + 1, inCulprit));
    else if (value instanceof RegExp) this.text += JSON.stringify(String(value));
    else this.text += JSON.stringify(special(value));
  }
}

/** Dates, ObjectIds, Decimal128...: their JSON or string form. */
function special(value: object): unknown {
  try {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json = toJSON.call(value);
      return typeof json === 'string' ? json : String(json);
    }
    return String(value);
  } catch {
    return '[object]';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export class NosqlMongodbInjectionAnalyzer extends Analyzer {
  readonly type = TYPE;
  readonly #reported = new WeakMap<RequestContext, Reported>();

  enable(): void {
    this.on('sluice:nosql.mongodb.query', ({ filter, pipeline }) => {
      const ctx = this.deps.contexts.current();
      const walk = new QueryWalk(this.deps.engine?.(), ctx?.requestObjects);
      if (pipeline !== undefined) walk.pipeline(pipeline, 0);
      else walk.filter(filter, 0);
      if (walk.ranges.length === 0 || !this.#first(ctx, walk)) return;
      this.deps.reporter.report({ type: this.type, evidence: { value: walk.text, ranges: walk.ranges } });
    });
  }

  /** True when the walk found a culprit not reported in this request yet; remembers them all. */
  #first(ctx: RequestContext | undefined, walk: QueryWalk): boolean {
    if (ctx === undefined) return true;
    let reported = this.#reported.get(ctx);
    if (reported === undefined) {
      reported = { objects: new WeakSet(), texts: new Set() };
      this.#reported.set(ctx, reported);
    }
    const known = reported;
    const fresh =
      walk.objects.some((o) => !known.objects.has(o)) || walk.texts.some((t) => !known.texts.has(t));
    for (const o of walk.objects) known.objects.add(o);
    for (const t of walk.texts) known.texts.add(t);
    return fresh;
  }
}

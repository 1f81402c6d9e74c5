import { CollectorError } from '../errors.js';
import type { Evidence, FindingInput, SourceRef, StackFrame, TracerInfo, ValuePart } from '../model.js';
import { type DecodeLimits, decode, MsgpackError } from '../msgpack.js';
import type { Span } from './traces.js';

/**
 * Reads the IAST report that Datadog-compatible tracers attach to a span and turns each
 * vulnerability into a FindingInput. The shapes differ slightly between tracers; this is
 * where the differences are absorbed:
 * - Node.js and Java: meta["_dd.iast.json"], a JSON string;
 * - Python and .NET (newer versions): meta_struct["iast"], msgpack bytes of the same object;
 * - location.spanId is a number in some tracers and a string in others (or absent);
 * - Java replaces the evidence of an over-large report by { value: "MAX_SIZE_EXCEEDED" };
 * - redacted parts carry { redacted: true, pattern? } instead of a value;
 * - Java and .NET report a fully qualified class name as location.path;
 * - stacks come separately in meta_struct["_dd.stack"], linked by location.stackId.
 */

/** Bounds on what one finding may carry: larger values are cut, not rejected. */
export const FIELD_LIMITS = {
  evidenceChars: 8192,
  sourceValueChars: 4096,
  pathChars: 2048,
  nameChars: 512,
  framesPerStack: 64,
  vulnerabilitiesPerSpan: 1000,
  sourcesPerReport: 1000,
  partsPerEvidence: 1000,
};

function invalid(message: string): never {
  throw new CollectorError('SLC_ERR_INTAKE_IAST_INVALID', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function optString(v: unknown, what: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return cut(v, max);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return invalid(`${what} must be a string`);
}

function optInt(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return invalid(`${what} must be an integer`);
}

function optBool(v: unknown): boolean | undefined {
  return v === true || v === 'true' ? true : undefined;
}

/** meta_struct values are msgpack bytes; JSON payloads may carry them as objects or JSON text. */
function structValue(v: unknown, what: string, limits: DecodeLimits): unknown {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Uint8Array) {
    try {
      return decode(v, limits);
    } catch (err) {
      if (err instanceof MsgpackError) invalid(`${what}: invalid msgpack: ${err.message}`);
      throw err;
    }
  }
  if (typeof v === 'string') return parseJson(v, what);
  return v;
}

function parseJson(s: string, what: string): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    return invalid(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

interface RawSource extends SourceRef {}

function readSources(v: unknown): RawSource[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) invalid('sources must be an array');
  if (v.length > FIELD_LIMITS.sourcesPerReport) invalid(`more than ${FIELD_LIMITS.sourcesPerReport} sources`);
  return v.map((s, i) => {
    if (!isObject(s)) invalid(`sources[${i}] must be an object`);
    const origin = optString(s.origin, `sources[${i}].origin`, FIELD_LIMITS.nameChars);
    if (!origin) invalid(`sources[${i}].origin is required`);
    const out: RawSource = {
      origin,
      name: optString(s.name, `sources[${i}].name`, FIELD_LIMITS.nameChars) ?? '',
    };
    const value = optString(s.value, `sources[${i}].value`, FIELD_LIMITS.sourceValueChars);
    if (value !== undefined) out.value = value;
    if (optBool(s.redacted)) out.redacted = true;
    const pattern = optString(s.pattern, `sources[${i}].pattern`, FIELD_LIMITS.sourceValueChars);
    if (pattern !== undefined) out.pattern = pattern;
    return out;
  });
}

/** Evidence with source indexes renumbered into the finding's own `sources`. */
function readEvidence(
  v: unknown,
  where: string,
  reportSources: RawSource[],
): { evidence: Evidence; sources: SourceRef[] } {
  const sources: SourceRef[] = [];
  const local = new Map<number, number>();
  const ref = (index: number): number => {
    let mapped = local.get(index);
    if (mapped === undefined) {
      const src = reportSources[index];
      if (!src) invalid(`${where}.valueParts refers to source ${index}, which does not exist`);
      mapped = sources.length;
      sources.push(src);
      local.set(index, mapped);
    }
    return mapped;
  };
  if (v === undefined || v === null) return { evidence: {}, sources };
  if (!isObject(v)) invalid(`${where} must be an object`);
  const evidence: Evidence = {};
  const value = optString(v.value, `${where}.value`, FIELD_LIMITS.evidenceChars);
  if (value === 'MAX_SIZE_EXCEEDED') evidence.truncated = true;
  // A value cut to the limit is not flagged: `truncated` on the evidence means "dropped by the tracer".
  else if (value !== undefined) evidence.value = value;
  if (v.valueParts !== undefined && v.valueParts !== null) {
    if (!Array.isArray(v.valueParts)) invalid(`${where}.valueParts must be an array`);
    if (v.valueParts.length > FIELD_LIMITS.partsPerEvidence) invalid(`${where} has too many valueParts`);
    let budget = FIELD_LIMITS.evidenceChars;
    evidence.valueParts = v.valueParts.map((p, i): ValuePart => {
      if (!isObject(p)) invalid(`${where}.valueParts[${i}] must be an object`);
      const part: ValuePart = {};
      const pv = optString(p.value, `${where}.valueParts[${i}].value`, FIELD_LIMITS.evidenceChars);
      if (pv !== undefined) {
        part.value = pv.slice(0, Math.max(0, budget));
        if (typeof p.value === 'string' && part.value.length < p.value.length) part.truncated = true;
        budget -= part.value.length;
      }
      const src = optInt(p.source, `${where}.valueParts[${i}].source`);
      if (src !== null) part.source = ref(src);
      if (optBool(p.redacted)) part.redacted = true;
      const pattern = optString(p.pattern, `${where}.valueParts[${i}].pattern`, FIELD_LIMITS.evidenceChars);
      if (pattern !== undefined) part.pattern = pattern;
      if (p.truncated !== undefined && p.truncated !== null && p.truncated !== false) part.truncated = true;
      return part;
    });
  }
  return { evidence, sources };
}

interface RawStack {
  frames: StackFrame[];
}

/** meta_struct["_dd.stack"] = { vulnerability: [{ id, language, frames: [...] }], exploit: [...] } */
function readStacks(metaStruct: Record<string, unknown>, limits: DecodeLimits): Map<string, RawStack> {
  const stacks = new Map<string, RawStack>();
  const raw = structValue(metaStruct['_dd.stack'], 'meta_struct["_dd.stack"]', limits);
  if (raw === undefined) return stacks;
  if (!isObject(raw)) invalid('meta_struct["_dd.stack"] must be a map');
  const list = raw.vulnerability;
  if (list === undefined || list === null) return stacks;
  if (!Array.isArray(list)) invalid('meta_struct["_dd.stack"].vulnerability must be an array');
  list.forEach((s, i) => {
    const where = `_dd.stack.vulnerability[${i}]`;
    if (!isObject(s)) invalid(`${where} must be a map`);
    const id = optString(s.id, `${where}.id`, FIELD_LIMITS.nameChars);
    if (id === undefined) return;
    if (!Array.isArray(s.frames)) invalid(`${where}.frames must be an array`);
    const frames = s.frames.slice(0, FIELD_LIMITS.framesPerStack).map((f, j): StackFrame => {
      if (!isObject(f)) invalid(`${where}.frames[${j}] must be a map`);
      const w = `${where}.frames[${j}]`;
      return {
        file: optString(f.file, `${w}.file`, FIELD_LIMITS.pathChars) ?? '',
        line: optInt(f.line, `${w}.line`),
        column: optInt(f.column, `${w}.column`),
        function: optString(f.function, `${w}.function`, FIELD_LIMITS.nameChars) ?? null,
        class:
          optString(f.class_name, `${w}.class_name`, FIELD_LIMITS.nameChars) ??
          optString(f.namespace, `${w}.namespace`, FIELD_LIMITS.nameChars) ??
          null,
      };
    });
    stacks.set(id, { frames });
  });
  return stacks;
}

const LANGUAGES: Record<string, string> = {
  nodejs: 'nodejs',
  javascript: 'nodejs',
  node: 'nodejs',
  jvm: 'java',
  java: 'java',
  python: 'python',
  dotnet: 'dotnet',
  '.net': 'dotnet',
  ruby: 'ruby',
  php: 'php',
  go: 'go',
};

export function tracerLanguage(raw: string | undefined | null): string | null {
  if (!raw) return null;
  return LANGUAGES[raw.toLowerCase()] ?? raw.toLowerCase();
}

/** A fully qualified class name given as a path (Java, .NET): "com.acme.web.UserController". */
export function isClassNamePath(path: string): boolean {
  return (
    !/[/\\]/.test(path) &&
    /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+(\$[\w$]+)*$/.test(path) &&
    !/\.(m?[jt]sx?|cjs|py|rb|php|go|cs|java|kt)$/.test(path)
  );
}

export interface SpanContext {
  tracer: TracerInfo;
  receivedAt: number;
}

/** The report object of one span: meta_struct["iast"] wins over meta["_dd.iast.json"] (same content). */
function readReport(span: Span, limits: DecodeLimits): unknown {
  const fromStruct = structValue(span.metaStruct.iast, 'meta_struct["iast"]', limits);
  if (fromStruct !== undefined) return fromStruct;
  const json = span.meta['_dd.iast.json'];
  if (json === undefined || json === '') return undefined;
  return parseJson(json, 'meta["_dd.iast.json"]');
}

export function findingsFromSpan(span: Span, ctx: SpanContext, limits: DecodeLimits): FindingInput[] {
  const report = readReport(span, limits);
  if (report === undefined) return [];
  return findingsFromReport(report, span, ctx, limits);
}

export interface ReportSpanFields {
  service: string;
  meta: Record<string, string>;
  metaStruct: Record<string, unknown>;
  spanId: string;
  traceId: string;
}

/** Also used for the agent's JSON Lines report objects, which have no span around them. */
export function findingsFromReport(
  report: unknown,
  span: ReportSpanFields,
  ctx: SpanContext,
  limits: DecodeLimits,
): FindingInput[] {
  if (!isObject(report)) invalid('the IAST report must be an object');
  const sources = readSources(report.sources);
  const vulns = report.vulnerabilities;
  if (vulns === undefined || vulns === null) return [];
  if (!Array.isArray(vulns)) invalid('vulnerabilities must be an array');
  if (vulns.length > FIELD_LIMITS.vulnerabilitiesPerSpan)
    invalid(`more than ${FIELD_LIMITS.vulnerabilitiesPerSpan} vulnerabilities in one span`);
  const stacks = readStacks(span.metaStruct, limits);
  const meta = span.meta;
  const hasRequest = meta['http.method'] !== undefined || meta['http.url'] !== undefined;
  const language = ctx.tracer.language ?? tracerLanguage(meta.language);
  return vulns.map((v, i): FindingInput => {
    const where = `vulnerabilities[${i}]`;
    if (!isObject(v)) invalid(`${where} must be an object`);
    const type = v.type;
    if (typeof type !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(type))
      invalid(`${where}.type must be a type name`);
    const loc = v.location;
    if (loc !== undefined && loc !== null && !isObject(loc)) invalid(`${where}.location must be an object`);
    const l = (loc ?? {}) as Record<string, unknown>;
    let path = optString(l.path, `${where}.location.path`, FIELD_LIMITS.pathChars) ?? null;
    let cls = optString(l.class, `${where}.location.class`, FIELD_LIMITS.nameChars) ?? null;
    if (path?.startsWith('file://')) path = path.slice('file://'.length);
    if (path && !cls && isClassNamePath(path)) cls = path;
    const { evidence, sources: own } = readEvidence(v.evidence, `${where}.evidence`, sources);
    const stackId = optString(l.stackId, `${where}.location.stackId`, FIELD_LIMITS.nameChars);
    const spanId = optString(l.spanId, `${where}.location.spanId`, 64) ?? span.spanId;
    return {
      service: cut(span.service || meta.service || 'unknown', FIELD_LIMITS.nameChars),
      env: cut(meta.env ?? '', FIELD_LIMITS.nameChars),
      version: cut(meta.version ?? '', FIELD_LIMITS.nameChars),
      type: type.toUpperCase(),
      location: {
        path,
        line: optInt(l.line, `${where}.location.line`),
        column: optInt(l.column, `${where}.location.column`),
        method: optString(l.method, `${where}.location.method`, FIELD_LIMITS.nameChars) ?? null,
        class: cls,
      },
      evidence,
      sources: own,
      stack: (stackId !== undefined && stacks.get(stackId)?.frames) || [],
      request: hasRequest
        ? {
            method: meta['http.method'] ?? null,
            route: meta['http.route'] ?? null,
            url: meta['http.url'] !== undefined ? cut(meta['http.url'], FIELD_LIMITS.pathChars) : null,
          }
        : null,
      tracer: { language, version: ctx.tracer.version },
      hash: optString(v.hash, `${where}.hash`, 64) ?? null,
      spanId,
      traceId: span.traceId,
      seenAt: ctx.receivedAt,
    };
  });
}

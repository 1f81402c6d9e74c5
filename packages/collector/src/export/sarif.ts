import { isAbsolute, relative } from 'node:path';
import { typeInfo } from '../catalog.js';
import { normalisePath } from '../fingerprint.js';
import { COLLECTOR_VERSION } from '../intake/handler.js';
import { isClassNamePath } from '../intake/iast.js';
import type { FindingDetail, Severity } from '../model.js';

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: one rule per vulnerability type with
 * properties["security-severity"] (GitHub maps >= 9 critical, >= 7 high, >= 4 medium, else low),
 * results with repository-relative locations, partialFingerprints so that GitHub tracks a
 * finding across uploads, and a codeFlow from the tainted sources through the stack to the sink.
 */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.8',
  high: '8.1',
  medium: '5.3',
  low: '3.1',
};
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

export interface SarifOptions {
  /** Absolute paths under this directory are made relative to it (default: the working directory). */
  root?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: SARIF is a large open JSON structure
type Json = any;

/** The repository-relative URI for a reported path; Java/.NET class names become source paths. */
export function artifactUri(path: string, language: string | null, root: string): string | null {
  let p = path;
  if (isClassNamePath(p)) {
    const base = p.replace(/\$.*$/, '').replace(/\./g, '/');
    p = `${base}.${language === 'dotnet' ? 'cs' : language === 'python' ? 'py' : 'java'}`;
  } else if (isAbsolute(p)) {
    const rel = relative(root, p);
    if (rel.startsWith('..')) return null;
    p = rel;
  }
  p = normalisePath(p).replace(/^\/+/, '');
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function pascal(type: string): string {
  return type
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function physical(uri: string, line: number | null | undefined, column?: number | null): Json {
  const loc: Json = { artifactLocation: { uri, uriBaseId: '%SRCROOT%' } };
  if (line && line > 0) {
    loc.region = { startLine: line };
    if (column && column > 0) loc.region.startColumn = column;
  }
  return loc;
}

function message(f: FindingDetail): string {
  const info = typeInfo(f.type);
  const where = f.location.method
    ? ` in ${f.location.class ? `${f.location.class}.` : ''}${f.location.method}`
    : '';
  const from = f.sources.length
    ? ` Tainted input: ${f.sources.map((s) => `${s.origin} "${s.name}"`).join(', ')}.`
    : '';
  const evidence = f.evidenceSnippet ? ` Evidence: ${f.evidenceSnippet}` : '';
  return `${info.title}${where}.${from}${evidence}`;
}

function codeFlow(f: FindingDetail, sink: Json | null, root: string): Json | undefined {
  if (!sink || f.sources.length === 0) return undefined;
  const steps: Json[] = f.sources.map((s) => ({
    location: { physicalLocation: sink, message: { text: `source: ${s.origin} "${s.name}"` } },
    kinds: ['taint'],
  }));
  // Frames arrive innermost first; a flow reads from the entry point down to the sink.
  const frames = [...f.stack].reverse();
  for (const fr of frames) {
    if (!fr.file || /node_modules|^node:|^internal\//.test(fr.file)) continue;
    const uri = artifactUri(fr.file, f.tracer.language, root);
    if (!uri) continue;
    steps.push({
      location: {
        physicalLocation: physical(uri, fr.line, fr.column),
        message: { text: fr.function ?? 'call' },
      },
    });
  }
  steps.push({ location: { physicalLocation: sink, message: { text: `sink: ${f.type}` } }, kinds: ['sink'] });
  return [{ threadFlows: [{ locations: steps }] }];
}

export function toSarif(findings: FindingDetail[], options: SarifOptions = {}): Json {
  const root = options.root ?? process.cwd();
  const types = [...new Set(findings.map((f) => f.type))].sort();
  const rules = types.map((type) => {
    const info = typeInfo(type);
    const tags = ['security'];
    if (info.cwe) tags.push(`external/cwe/cwe-${info.cwe}`);
    return {
      id: type,
      name: pascal(type),
      shortDescription: { text: info.title },
      fullDescription: { text: info.summary },
      help: {
        text: `${info.summary}\n\n${info.steps.map((s) => `- ${s}`).join('\n')}`,
        markdown: `${info.summary}\n\n${info.steps.map((s) => `- ${s}`).join('\n')}${
          info.references.length
            ? `\n\nReferences:\n${info.references.map((r) => `- <${r}>`).join('\n')}`
            : ''
        }`,
      },
      ...(info.references[0] ? { helpUri: info.references[0] } : {}),
      defaultConfiguration: { level: LEVEL[info.severity] },
      properties: { 'security-severity': SECURITY_SEVERITY[info.severity], tags, precision: 'high' },
    };
  });
  const results = findings.map((f) => {
    const uri = f.location.path ? artifactUri(f.location.path, f.tracer.language, root) : null;
    const sink = uri ? physical(uri, f.location.line, f.location.column) : null;
    const result: Json = {
      ruleId: f.type,
      ruleIndex: types.indexOf(f.type),
      level: LEVEL[f.severity],
      message: { text: message(f) },
      locations: sink ? [{ physicalLocation: sink }] : [],
      partialFingerprints: { 'sluice/v1': f.fingerprint },
      properties: {
        'security-severity': SECURITY_SEVERITY[f.severity],
        service: f.service,
        env: f.env,
        status: f.status,
        occurrences: f.occurrences,
        firstSeen: f.firstSeen,
        lastSeen: f.lastSeen,
      },
    };
    // GitHub refuses a result whose locations are empty: without a file, say where it was seen
    // logically (the method, else the request route, else the service).
    const logical =
      f.location.class || f.location.method
        ? {
            fullyQualifiedName: [f.location.class, f.location.method].filter(Boolean).join('.'),
            kind: 'function',
          }
        : f.request?.route || f.request?.url
          ? {
              fullyQualifiedName: `${f.request.method ?? ''} ${f.request.route ?? f.request.url}`.trim(),
              kind: 'resource',
            }
          : sink
            ? null
            : { fullyQualifiedName: f.service, kind: 'module' };
    if (logical) {
      if (result.locations[0]) result.locations[0].logicalLocations = [logical];
      else result.locations = [{ logicalLocations: [logical] }];
    }
    if (f.status === 'muted' || f.status === 'fixed') {
      result.suppressions = [
        { kind: 'external', status: 'accepted', justification: f.statusReason ?? f.status },
      ];
    }
    const flow = codeFlow(f, sink, root);
    if (flow) result.codeFlows = flow;
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Sluice',
            version: COLLECTOR_VERSION,
            semanticVersion: COLLECTOR_VERSION,
            rules,
          },
        },
        automationDetails: { id: 'sluice-iast/' },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

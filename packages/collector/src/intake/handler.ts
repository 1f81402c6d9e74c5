import type { IncomingMessage, ServerResponse } from 'node:http';
import { CollectorError, type ErrorCode } from '../errors.js';
import { readBody, sendError, sendJson } from '../http.js';
import type { FindingInput } from '../model.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../msgpack.js';
import type { SqlStore } from '../store/store.js';
import { findingsFromSpan, tracerLanguage } from './iast.js';
import { decodeTraces, type Span, type TraceFormat } from './traces.js';

export const COLLECTOR_VERSION = '0.1.0';

export interface IntakeOptions {
  /** Largest accepted payload in bytes (default 10 MiB). */
  maxPayloadBytes?: number;
  decodeLimits?: DecodeLimits;
}

export interface IntakeStats {
  payloads: number;
  spans: number;
  findings: number;
  rejected: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
  lastError: string | null;
}

export const INTAKE_ENDPOINTS = ['/v0.4/traces', '/v0.5/traces', '/info'];

/** The Datadog-Agent-compatible part: /info and the trace endpoints. */
export class Intake {
  readonly stats: IntakeStats = {
    payloads: 0,
    spans: 0,
    findings: 0,
    rejected: 0,
    rejectedByCode: {},
    lastError: null,
  };
  private readonly maxPayloadBytes: number;
  private readonly limits: DecodeLimits;

  constructor(
    private readonly store: SqlStore,
    options: IntakeOptions = {},
  ) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? 10 * 1024 * 1024;
    this.limits = options.decodeLimits ?? DEFAULT_DECODE_LIMITS;
  }

  /** Returns false when the path is not an intake path. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname === '/info') {
      if (req.method !== 'GET' && req.method !== 'HEAD') sendError(res, methodNotAllowed(req));
      else sendJson(res, 200, this.info());
      return true;
    }
    const format: TraceFormat | null =
      pathname === '/v0.4/traces' ? 'v0.4' : pathname === '/v0.5/traces' ? 'v0.5' : null;
    if (format) {
      if (req.method !== 'PUT' && req.method !== 'POST') sendError(res, methodNotAllowed(req));
      else
        this.traces(req, res, format).catch((err) => {
          this.reject(err);
          sendError(res, err);
        });
      return true;
    }
    // Tracers also send telemetry; accepting and dropping it keeps their logs quiet.
    if (pathname.startsWith('/telemetry/proxy/')) {
      req.resume();
      res.writeHead(202).end();
      return true;
    }
    return false;
  }

  info(): Record<string, unknown> {
    return {
      version: `sluice-collector-${COLLECTOR_VERSION}`,
      endpoints: INTAKE_ENDPOINTS,
      client_drop_p0s: false,
      span_meta_structs: true,
      long_running_spans: false,
      config: { max_payload_bytes: this.maxPayloadBytes },
    };
  }

  private reject(err: unknown): void {
    const code: ErrorCode = err instanceof CollectorError ? err.code : 'SLC_ERR_INTERNAL';
    this.stats.rejected++;
    this.stats.rejectedByCode[code] = (this.stats.rejectedByCode[code] ?? 0) + 1;
    this.stats.lastError = err instanceof Error ? err.message : String(err);
  }

  /** Decodes and validates a whole payload first, then stores it in one transaction. */
  async ingestPayload(
    body: Buffer,
    format: TraceFormat,
    contentType: string | undefined,
    tracer: { language: string | null; version: string | null },
    receivedAt = Date.now(),
  ): Promise<{ spans: Span[]; findings: FindingInput[] }> {
    const spans = body.length === 0 ? [] : decodeTraces(body, format, contentType, this.limits);
    const findings: FindingInput[] = [];
    for (const span of spans) findings.push(...findingsFromSpan(span, { tracer, receivedAt }, this.limits));
    if (findings.length > 0) {
      try {
        await this.store.ingest(findings);
      } catch (err) {
        throw new CollectorError(
          'SLC_ERR_STORE_UNAVAILABLE',
          `could not store findings: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
    this.stats.payloads++;
    this.stats.spans += spans.length;
    this.stats.findings += findings.length;
    return { spans, findings };
  }

  private async traces(req: IncomingMessage, res: ServerResponse, format: TraceFormat): Promise<void> {
    const contentType = req.headers['content-type'];
    if (contentType && !/msgpack|json|octet-stream/i.test(contentType))
      throw new CollectorError(
        'SLC_ERR_INTAKE_UNSUPPORTED_MEDIA_TYPE',
        `unsupported content type ${contentType}`,
      );
    if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity')
      throw new CollectorError(
        'SLC_ERR_INTAKE_UNSUPPORTED_MEDIA_TYPE',
        'compressed payloads are not supported',
      );
    const body = await readBody(req, this.maxPayloadBytes);
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' && v ? v.slice(0, 64) : null;
    };
    const { spans } = await this.ingestPayload(body, format, contentType, {
      language: tracerLanguage(header('datadog-meta-lang')),
      version: header('datadog-meta-tracer-version'),
    });
    const rates: Record<string, number> = { 'service:,env:': 1 };
    for (const s of spans) rates[`service:${s.service},env:${s.meta.env ?? ''}`] = 1;
    sendJson(res, 200, { rate_by_service: rates });
  }
}

function methodNotAllowed(req: IncomingMessage): CollectorError {
  return new CollectorError('SLC_ERR_METHOD_NOT_ALLOWED', `method ${req.method} is not allowed here`);
}

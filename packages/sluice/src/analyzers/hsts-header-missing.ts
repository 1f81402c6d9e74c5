/**
 * HSTS_HEADER_MISSING: an HTML response to an HTTPS request (TLS, or `X-Forwarded-Proto:
 * https`) has no valid Strict-Transport-Security header (one with `max-age` > 0).
 */
import { Analyzer } from './analyzer.js';
import { headerValue, isHtmlResponse } from './html-response.js';

export function isValidHsts(value: string | undefined): boolean {
  if (value === undefined) return false;
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(value);
  return m !== null && Number(m[1]) > 0;
}

export class HstsHeaderMissingAnalyzer extends Analyzer {
  readonly type = 'HSTS_HEADER_MISSING';

  enable(): void {
    this.on('sluice:http.server.response.headers', ({ res, statusCode, headers }) => {
      const context = this.deps.contexts.forResponse(res);
      if (!context || !isHtmlResponse(statusCode, headers)) return;
      const forwarded = headerValue(context.req.headers as Record<string, unknown>, 'x-forwarded-proto');
      const https = context.secure || forwarded?.split(',')[0]?.trim().toLowerCase() === 'https';
      if (!https) return;
      const value = headerValue(headers, 'strict-transport-security');
      if (isValidHsts(value)) return;
      this.deps.reporter.report({
        type: this.type,
        evidence: { value },
        location: null,
        hashSource: `${this.type}:${this.deps.service}`,
        context,
      });
    });
  }
}

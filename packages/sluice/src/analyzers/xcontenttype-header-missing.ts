/** XCONTENTTYPE_HEADER_MISSING: an HTML response lacks `X-Content-Type-Options: nosniff`. */
import { Analyzer } from './analyzer.js';
import { headerValue, isHtmlResponse } from './html-response.js';

export class XContentTypeHeaderMissingAnalyzer extends Analyzer {
  readonly type = 'XCONTENTTYPE_HEADER_MISSING';

  enable(): void {
    this.on('sluice:http.server.response.headers', ({ res, statusCode, headers }) => {
      const context = this.deps.contexts.forResponse(res);
      if (!context || !isHtmlResponse(statusCode, headers)) return;
      const value = headerValue(headers, 'x-content-type-options');
      if (value?.trim().toLowerCase() === 'nosniff') return;
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

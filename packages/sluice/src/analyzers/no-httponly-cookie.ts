/** NO_HTTPONLY_COOKIE: a response sets a cookie that lacks the HttpOnly attribute (cookies being deleted, with an empty value, are skipped). */
import { Analyzer } from './analyzer.js';
import { parseSetCookies } from './set-cookie.js';

export class NoHttpOnlyCookieAnalyzer extends Analyzer {
  readonly type = 'NO_HTTPONLY_COOKIE';

  enable(): void {
    this.on('sluice:http.server.response.cookie', ({ res, value }) => {
      const context = this.deps.contexts.forResponse(res);
      if (!context) return;
      for (const cookie of parseSetCookies(value)) {
        if (cookie.value === '' || cookie.attributes.has('httponly')) continue;
        this.deps.reporter.report({
          type: this.type,
          evidence: { value: cookie.name },
          // One finding per cookie name, wherever it is set.
          hashSource: `${this.type}:${cookie.name}`,
          locationOptional: true,
          context,
        });
      }
    });
  }
}

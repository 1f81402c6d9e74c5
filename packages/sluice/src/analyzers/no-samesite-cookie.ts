/** NO_SAMESITE_COOKIE: a response sets a cookie that is not SameSite=Strict (cookies being deleted, with an empty value, are skipped). */
import { Analyzer } from './analyzer.js';
import { parseSetCookies } from './set-cookie.js';

export class NoSameSiteCookieAnalyzer extends Analyzer {
  readonly type = 'NO_SAMESITE_COOKIE';

  enable(): void {
    this.on('sluice:http.server.response.cookie', ({ res, value }) => {
      const context = this.deps.contexts.forResponse(res);
      if (!context) return;
      for (const cookie of parseSetCookies(value)) {
        if (cookie.value === '' || !((cookie.attributes.get('samesite') ?? '').toLowerCase() !== 'strict'))
          continue;
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

/**
 * SSRF: an outgoing request whose scheme, userinfo, host or port untrusted data can change
 * (see outgoing-url.ts for where a tainted range "can change" a part). A tainted query or
 * fragment of a fixed host is not reported; a tainted path only when `pathEnabled` is set.
 * One finding per URL per request: axios, got and node-fetch end in http.request, whose hook
 * sees the same request again.
 */
import { Analyzer, type AnalyzerDeps } from './analyzer.js';
import { OutgoingUrls } from './outgoing-url.js';
import { SeenPerRequest } from './tainted-sink.js';

export interface SsrfOptions {
  /** A tainted path of a fixed host is reported too (SLUICE_IAST_SSRF_PATH_ENABLED). */
  readonly pathEnabled: boolean;
}

export class SsrfAnalyzer extends Analyzer {
  readonly type = 'SSRF';
  readonly #seen = new SeenPerRequest();
  readonly #urls: OutgoingUrls;

  constructor(
    deps: AnalyzerDeps,
    private readonly options: SsrfOptions,
  ) {
    super(deps);
    this.#urls = new OutgoingUrls(() => this.deps.engine?.(), this.type);
  }

  enable(): void {
    this.on('sluice:http.client.request', ({ api, url, options }) => {
      const defaults = api.startsWith('undici.')
        ? { protocol: 'http:' }
        : { protocol: api.startsWith('https.') ? 'https:' : 'http:', host: 'localhost' };
      const target = this.#urls.target(url, options, defaults);
      if (target === undefined || target.url.ranges.length === 0) return;
      if (!target.authority && !(this.options.pathEnabled && target.path)) return;
      if (!this.#seen.first(this.deps.contexts.current(), target.url.value)) return;
      this.deps.reporter.report({ type: this.type, evidence: target.url });
    });
  }
}

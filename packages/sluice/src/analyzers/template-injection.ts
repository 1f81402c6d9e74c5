/**
 * TEMPLATE_INJECTION: template source with tainted characters not sanitised for templates is
 * compiled by a template engine (pug, handlebars, ejs). Data rendered into a template is not
 * template source. A template is reported once per request: render compiles through compile.
 */
import { Analyzer } from './analyzer.js';
import { SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

export class TemplateInjectionAnalyzer extends Analyzer {
  readonly type = 'TEMPLATE_INJECTION';
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:template.compile', ({ template }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), template, this.type);
      if (ranges === undefined || typeof template !== 'string') return;
      if (!this.#seen.first(this.deps.contexts.current(), template)) return;
      this.deps.reporter.report({ type: this.type, evidence: { value: template, ranges } });
    });
  }
}

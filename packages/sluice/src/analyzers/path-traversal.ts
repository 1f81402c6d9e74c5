/**
 * PATH_TRAVERSAL: a file-system path with tainted characters not sanitised for paths. A path
 * is reported once per request: res.download hands it to res.sendFile, which stats it.
 */
import { Analyzer } from './analyzer.js';
import { SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

export class PathTraversalAnalyzer extends Analyzer {
  readonly type = 'PATH_TRAVERSAL';
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:fs.path', ({ path }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), path, this.type);
      if (ranges === undefined || typeof path !== 'string') return;
      if (!this.#seen.first(this.deps.contexts.current(), path)) return;
      this.deps.reporter.report({ type: this.type, evidence: { value: path, ranges } });
    });
  }
}

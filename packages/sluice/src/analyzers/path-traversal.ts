/** PATH_TRAVERSAL: a file-system path with tainted characters not sanitised for paths. */
import { Analyzer } from './analyzer.js';
import { vulnerableRanges } from './tainted-sink.js';

export class PathTraversalAnalyzer extends Analyzer {
  readonly type = 'PATH_TRAVERSAL';

  enable(): void {
    this.on('sluice:fs.path', ({ path }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), path, this.type);
      if (ranges === undefined || typeof path !== 'string') return;
      this.deps.reporter.report({ type: this.type, evidence: { value: path, ranges } });
    });
  }
}

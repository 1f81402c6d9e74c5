/**
 * CODE_INJECTION: tainted code is compiled: direct eval (through the propagation runtime's
 * onEval), Function, and node:vm. Function's parameters and body are reported as they are
 * compiled, joined by commas.
 */
import { Analyzer } from './analyzer.js';
import { joinTainted, vulnerableRanges } from './tainted-sink.js';

export class CodeInjectionAnalyzer extends Analyzer {
  readonly type = 'CODE_INJECTION';

  enable(): void {
    this.on('sluice:code.compile', ({ code }) => {
      const engine = this.deps.engine?.();
      if (Array.isArray(code)) {
        const joined = joinTainted(engine, code, ',', this.type);
        if (joined.ranges.length > 0) this.deps.reporter.report({ type: this.type, evidence: joined });
        return;
      }
      const ranges = vulnerableRanges(engine, code, this.type);
      if (ranges === undefined || typeof code !== 'string') return;
      this.deps.reporter.report({ type: this.type, evidence: { value: code, ranges } });
    });
  }
}

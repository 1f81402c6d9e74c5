/** WEAK_RANDOMNESS: application code calls Math.random (not cryptographically secure). */
import { Analyzer } from './analyzer.js';

export class WeakRandomnessAnalyzer extends Analyzer {
  readonly type = 'WEAK_RANDOMNESS';

  enable(): void {
    this.on('sluice:math.random', ({ hook }) => {
      this.deps.reporter.report({
        type: this.type,
        evidence: { value: 'Math.random' },
        directCaller: true,
        skip: hook,
      });
    });
  }
}

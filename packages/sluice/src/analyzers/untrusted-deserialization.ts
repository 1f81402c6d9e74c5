/**
 * UNTRUSTED_DESERIALIZATION: tainted text reaches a deserialiser that can build functions or
 * run code from it (node-serialize's unserialize; js-yaml loading with a schema that has
 * JavaScript types: the instrumentations publish only those calls). Any tainted character
 * counts: the sender can rewrite the whole document.
 */
import { Analyzer } from './analyzer.js';
import { vulnerableRanges } from './tainted-sink.js';

export class UntrustedDeserializationAnalyzer extends Analyzer {
  readonly type = 'UNTRUSTED_DESERIALIZATION';

  enable(): void {
    this.on('sluice:deserialize', ({ data }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), data, this.type);
      if (ranges === undefined || typeof data !== 'string') return;
      this.deps.reporter.report({ type: this.type, evidence: { value: data, ranges } });
    });
  }
}

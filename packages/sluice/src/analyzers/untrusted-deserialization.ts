/**
 * UNTRUSTED_DESERIALIZATION: request data reaches a deserialiser that can build functions or
 * run code from it (node-serialize's unserialize; js-yaml loading with a schema that has
 * JavaScript types: the instrumentations publish only those calls). Tainted text counts
 * whatever its characters (the sender can rewrite the whole document), and so does an object
 * parsed from the request (`unserialize(req.body)`: node-serialize evaluates its string
 * values), whose evidence is its JSON.
 */
import { Analyzer } from './analyzer.js';
import { vulnerableRanges } from './tainted-sink.js';

export class UntrustedDeserializationAnalyzer extends Analyzer {
  readonly type = 'UNTRUSTED_DESERIALIZATION';

  enable(): void {
    this.on('sluice:deserialize', ({ data }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), data, this.type);
      if (ranges !== undefined && typeof data === 'string') {
        this.deps.reporter.report({ type: this.type, evidence: { value: data, ranges } });
        return;
      }
      if (data === null || typeof data !== 'object') return;
      const source = this.deps.contexts.current()?.requestObjects.get(data);
      const value = source === undefined ? undefined : JSON.stringify(data);
      if (source === undefined || typeof value !== 'string') return;
      const whole = { start: 0, end: value.length, source: { ...source, value }, marks: 0 };
      this.deps.reporter.report({ type: this.type, evidence: { value, ranges: [whole] } });
    });
  }
}

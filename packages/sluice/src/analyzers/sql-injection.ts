/**
 * SQL_INJECTION: query text with tainted characters not sanitised for SQL reaches a driver or
 * query builder. A query is reported once per request even when the library passes it on to
 * another hooked library (sequelize → pg, pg-pool → pg, mysql2 pool → connection).
 */
import { Analyzer } from './analyzer.js';
import { SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

export class SqlInjectionAnalyzer extends Analyzer {
  readonly type = 'SQL_INJECTION';
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:sql.query', ({ query }) => {
      const ranges = vulnerableRanges(this.deps.engine?.(), query, this.type);
      if (ranges === undefined || typeof query !== 'string') return;
      if (!this.#seen.first(this.deps.contexts.current(), query)) return;
      this.deps.reporter.report({ type: this.type, evidence: { value: query, ranges } });
    });
  }
}

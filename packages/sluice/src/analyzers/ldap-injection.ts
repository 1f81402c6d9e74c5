/**
 * LDAP_INJECTION: tainted characters, not sanitised for LDAP, in a search filter string
 * (Client#search, parseFilter) or in a DN given as text (the search base, the DN of a bind:
 * a tainted bind DN lets the sender choose which entry the password is checked against).
 * One finding per operation: the filter when it is tainted, the DN otherwise. Filters and
 * DNs built as ldapjs objects carry no text and are not reported.
 */
import { Analyzer } from './analyzer.js';
import { vulnerableRanges } from './tainted-sink.js';

export class LdapInjectionAnalyzer extends Analyzer {
  readonly type = 'LDAP_INJECTION';

  enable(): void {
    this.on('sluice:ldap.operation', ({ dn, filter }) => {
      const engine = this.deps.engine?.();
      for (const text of [filter, dn]) {
        const ranges = vulnerableRanges(engine, text, this.type);
        if (ranges === undefined || typeof text !== 'string') continue;
        this.deps.reporter.report({ type: this.type, evidence: { value: text, ranges } });
        return;
      }
    });
  }
}

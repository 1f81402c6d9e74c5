/** Base severity and CWE of every vulnerability type (DESIGN.md, "Sources, sinks and analyzers"). */
import type { VulnerabilityType } from '../vulnerability-types.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const CATALOG: Readonly<
  Record<VulnerabilityType, { readonly severity: Severity; readonly cwe: number }>
> = {
  SQL_INJECTION: { severity: 'critical', cwe: 89 },
  NOSQL_MONGODB_INJECTION: { severity: 'critical', cwe: 943 },
  COMMAND_INJECTION: { severity: 'critical', cwe: 78 },
  CODE_INJECTION: { severity: 'critical', cwe: 94 },
  SSRF: { severity: 'critical', cwe: 918 },
  PATH_TRAVERSAL: { severity: 'high', cwe: 22 },
  LDAP_INJECTION: { severity: 'high', cwe: 90 },
  TEMPLATE_INJECTION: { severity: 'high', cwe: 1336 },
  UNTRUSTED_DESERIALIZATION: { severity: 'high', cwe: 502 },
  UNVALIDATED_REDIRECT: { severity: 'high', cwe: 601 },
  HEADER_INJECTION: { severity: 'high', cwe: 113 },
  XSS: { severity: 'high', cwe: 79 },
  HARDCODED_SECRET: { severity: 'high', cwe: 798 },
  HARDCODED_PASSWORD: { severity: 'high', cwe: 259 },
  WEAK_HASH: { severity: 'medium', cwe: 328 },
  WEAK_CIPHER: { severity: 'medium', cwe: 327 },
  INSECURE_COOKIE: { severity: 'medium', cwe: 614 },
  NO_HTTPONLY_COOKIE: { severity: 'medium', cwe: 1004 },
  NO_SAMESITE_COOKIE: { severity: 'medium', cwe: 1275 },
  STACKTRACE_LEAK: { severity: 'medium', cwe: 209 },
  WEAK_RANDOMNESS: { severity: 'low', cwe: 338 },
  HSTS_HEADER_MISSING: { severity: 'low', cwe: 319 },
  XCONTENTTYPE_HEADER_MISSING: { severity: 'low', cwe: 693 },
};

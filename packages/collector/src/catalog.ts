import type { Remediation, Severity } from './model.js';

/**
 * What the collector knows about each vulnerability type: base severity (as in DESIGN.md),
 * CWE, and remediation guidance shown in the Explorer and written into SARIF rules.
 * Unknown types (a newer tracer) still get stored, as medium with generic guidance.
 */
export interface TypeInfo {
  severity: Severity;
  cwe: number | null;
  title: string;
  summary: string;
  steps: string[];
  references: string[];
}

const OWASP = 'https://cheatsheetseries.owasp.org/cheatsheets/';

const TYPES: Record<string, TypeInfo> = {
  SQL_INJECTION: {
    severity: 'critical',
    cwe: 89,
    title: 'SQL injection',
    summary:
      'Untrusted input reaches the text of a SQL query, so an attacker can change what the query does.',
    steps: [
      'Pass the value as a bound parameter ($1, ?) instead of concatenating it into the query text.',
      'For identifiers (column, table, sort order) map the input to an allow-list of fixed names.',
      'Use the query builder or ORM parameter API rather than raw queries.',
    ],
    references: [
      `${OWASP}SQL_Injection_Prevention_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/89.html',
    ],
  },
  NOSQL_MONGODB_INJECTION: {
    severity: 'critical',
    cwe: 943,
    title: 'NoSQL (MongoDB) injection',
    summary: 'Untrusted input becomes a MongoDB query operator or a $where expression.',
    steps: [
      'Reject objects where a scalar is expected: cast the input to a string or number first.',
      'Never build $where or $function clauses from input.',
      'Enable sanitizeFilter (mongoose) or strip keys starting with "$".',
    ],
    references: ['https://cwe.mitre.org/data/definitions/943.html'],
  },
  COMMAND_INJECTION: {
    severity: 'critical',
    cwe: 78,
    title: 'OS command injection',
    summary: 'Untrusted input reaches a shell command line.',
    steps: [
      'Use execFile/spawn with an argument array and shell: false instead of exec.',
      'Validate arguments against an allow-list; put "--" before user-provided operands.',
    ],
    references: [
      `${OWASP}OS_Command_Injection_Defense_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/78.html',
    ],
  },
  CODE_INJECTION: {
    severity: 'critical',
    cwe: 94,
    title: 'Code injection',
    summary: 'Untrusted input is evaluated as code (eval, Function, vm).',
    steps: [
      'Remove the eval: parse data with JSON.parse or a dedicated parser.',
      'Never pass request data to vm or Function.',
    ],
    references: ['https://cwe.mitre.org/data/definitions/94.html'],
  },
  SSRF: {
    severity: 'critical',
    cwe: 918,
    title: 'Server-side request forgery',
    summary: 'Untrusted input controls the host, scheme or whole URL of an outgoing request.',
    steps: [
      'Build the URL from a fixed base and let input choose only a path segment or query value, encoded.',
      'Allow-list destination hosts; block private, loopback and link-local addresses after DNS resolution.',
    ],
    references: [
      `${OWASP}Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/918.html',
    ],
  },
  PATH_TRAVERSAL: {
    severity: 'high',
    cwe: 22,
    title: 'Path traversal',
    summary: 'Untrusted input reaches a file-system path, so "../" can escape the intended directory.',
    steps: [
      'Resolve the path against a base directory and check that the result still starts with it.',
      'Prefer identifiers mapped to files over file names taken from the request.',
    ],
    references: [
      'https://owasp.org/www-community/attacks/Path_Traversal',
      'https://cwe.mitre.org/data/definitions/22.html',
    ],
  },
  LDAP_INJECTION: {
    severity: 'high',
    cwe: 90,
    title: 'LDAP injection',
    summary: 'Untrusted input reaches an LDAP search filter or base DN.',
    steps: ['Escape filter values (RFC 4515) and DN values (RFC 4514) before building the query.'],
    references: [
      `${OWASP}LDAP_Injection_Prevention_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/90.html',
    ],
  },
  TEMPLATE_INJECTION: {
    severity: 'high',
    cwe: 1336,
    title: 'Server-side template injection',
    summary: 'Untrusted input is compiled as a template.',
    steps: [
      'Compile only templates from your code base; pass input as template data, never as template source.',
    ],
    references: ['https://cwe.mitre.org/data/definitions/1336.html'],
  },
  UNTRUSTED_DESERIALIZATION: {
    severity: 'high',
    cwe: 502,
    title: 'Untrusted deserialization',
    summary: 'Untrusted input is deserialised by a library that can instantiate code.',
    steps: ['Use JSON.parse and validate the result against a schema; remove node-serialize and similar.'],
    references: [
      `${OWASP}Deserialization_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/502.html',
    ],
  },
  UNVALIDATED_REDIRECT: {
    severity: 'high',
    cwe: 601,
    title: 'Unvalidated redirect',
    summary: 'Untrusted input chooses the target of a redirect.',
    steps: ['Redirect only to relative paths or to an allow-list of hosts.'],
    references: [
      `${OWASP}Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/601.html',
    ],
  },
  HEADER_INJECTION: {
    severity: 'high',
    cwe: 113,
    title: 'HTTP header injection',
    summary: 'Untrusted input is written into a response header name or value.',
    steps: ['Do not reflect request data into headers; if you must, validate it against a strict pattern.'],
    references: ['https://cwe.mitre.org/data/definitions/113.html'],
  },
  XSS: {
    severity: 'high',
    cwe: 79,
    title: 'Cross-site scripting',
    summary: 'Untrusted input is written into an HTML response without escaping.',
    steps: [
      'Render through a template engine with auto-escaping on.',
      'Escape for the right context (HTML body, attribute, URL, script) when writing by hand.',
      'Add a Content-Security-Policy as defence in depth.',
    ],
    references: [
      `${OWASP}Cross_Site_Scripting_Prevention_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/79.html',
    ],
  },
  HARDCODED_SECRET: {
    severity: 'high',
    cwe: 798,
    title: 'Hardcoded secret',
    summary: 'A secret (API key, token) is written in the source code.',
    steps: ['Revoke and rotate the secret.', 'Load it from the environment or a secret manager.'],
    references: ['https://cwe.mitre.org/data/definitions/798.html'],
  },
  HARDCODED_PASSWORD: {
    severity: 'high',
    cwe: 259,
    title: 'Hardcoded password',
    summary: 'A password is written in the source code.',
    steps: ['Change the password.', 'Load it from the environment or a secret manager.'],
    references: ['https://cwe.mitre.org/data/definitions/259.html'],
  },
  WEAK_HASH: {
    severity: 'medium',
    cwe: 328,
    title: 'Weak hash algorithm',
    summary: 'A broken hash algorithm (MD5, SHA-1) is used.',
    steps: ['Use SHA-256 or better; for passwords use scrypt, argon2 or bcrypt.'],
    references: [
      `${OWASP}Password_Storage_Cheat_Sheet.html`,
      'https://cwe.mitre.org/data/definitions/328.html',
    ],
  },
  WEAK_CIPHER: {
    severity: 'medium',
    cwe: 327,
    title: 'Weak cipher',
    summary: 'A broken cipher (DES, RC2, RC4, Blowfish) is used.',
    steps: ['Use AES-256-GCM or ChaCha20-Poly1305 with unique nonces.'],
    references: ['https://cwe.mitre.org/data/definitions/327.html'],
  },
  INSECURE_COOKIE: {
    severity: 'medium',
    cwe: 614,
    title: 'Cookie without Secure',
    summary: 'A cookie is set without the Secure attribute and can travel over plain HTTP.',
    steps: ['Set Secure on every cookie.'],
    references: ['https://cwe.mitre.org/data/definitions/614.html'],
  },
  NO_HTTPONLY_COOKIE: {
    severity: 'medium',
    cwe: 1004,
    title: 'Cookie without HttpOnly',
    summary: 'A cookie is readable from scripts, so an XSS can steal it.',
    steps: ['Set HttpOnly on cookies that scripts do not need.'],
    references: ['https://cwe.mitre.org/data/definitions/1004.html'],
  },
  NO_SAMESITE_COOKIE: {
    severity: 'medium',
    cwe: 1275,
    title: 'Cookie without SameSite=Strict',
    summary: 'A cookie is sent on cross-site requests, which helps CSRF.',
    steps: ['Set SameSite=Strict (or Lax where cross-site navigation must keep the session).'],
    references: ['https://cwe.mitre.org/data/definitions/1275.html'],
  },
  STACKTRACE_LEAK: {
    severity: 'medium',
    cwe: 209,
    title: 'Stack trace leak',
    summary: 'An error response contains a stack trace.',
    steps: ['Return a generic error page in production; log the stack on the server only.'],
    references: ['https://cwe.mitre.org/data/definitions/209.html'],
  },
  WEAK_RANDOMNESS: {
    severity: 'low',
    cwe: 338,
    title: 'Weak randomness',
    summary: 'Math.random (or similar) is used where unpredictability may matter.',
    steps: ['Use crypto.randomInt, crypto.randomUUID or crypto.getRandomValues for tokens and identifiers.'],
    references: ['https://cwe.mitre.org/data/definitions/338.html'],
  },
  HSTS_HEADER_MISSING: {
    severity: 'low',
    cwe: 319,
    title: 'Strict-Transport-Security missing',
    summary: 'An HTML response over HTTPS lacks a valid Strict-Transport-Security header.',
    steps: ['Send Strict-Transport-Security: max-age=31536000; includeSubDomains (e.g. with helmet).'],
    references: ['https://cwe.mitre.org/data/definitions/319.html'],
  },
  XCONTENTTYPE_HEADER_MISSING: {
    severity: 'low',
    cwe: 693,
    title: 'X-Content-Type-Options missing',
    summary: 'An HTML response lacks X-Content-Type-Options: nosniff.',
    steps: ['Send X-Content-Type-Options: nosniff (e.g. with helmet).'],
    references: ['https://cwe.mitre.org/data/definitions/693.html'],
  },
};

const UNKNOWN: Omit<TypeInfo, 'title'> = {
  severity: 'medium',
  cwe: null,
  summary: 'A vulnerability type this collector does not describe yet.',
  steps: ['See the reporting tracer documentation for this type.'],
  references: [],
};

export function typeInfo(type: string): TypeInfo {
  return TYPES[type] ?? { ...UNKNOWN, title: type.toLowerCase().replace(/_/g, ' ') };
}

export function remediation(type: string): Remediation {
  const info = typeInfo(type);
  return { title: info.title, summary: info.summary, steps: info.steps, references: info.references };
}

export function knownTypes(): string[] {
  return Object.keys(TYPES);
}

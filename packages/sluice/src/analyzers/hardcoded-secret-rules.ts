/**
 * Rules for HARDCODED_SECRET, in the style of gitleaks: an id and a regular expression that
 * a whole string literal must contain. Written for Sluice from the providers' documented
 * token formats; the ids are reported as the evidence (the secret itself never is).
 */
export interface SecretRule {
  readonly id: string;
  readonly pattern: RegExp;
}

export const SECRET_RULES: readonly SecretRule[] = [
  { id: 'aws-access-token', pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/ },
  { id: 'github-pat', pattern: /\bghp_[0-9a-zA-Z]{36}\b/ },
  { id: 'github-oauth', pattern: /\bgho_[0-9a-zA-Z]{36}\b/ },
  { id: 'github-app-token', pattern: /\b(?:ghu|ghs)_[0-9a-zA-Z]{36}\b/ },
  { id: 'github-refresh-token', pattern: /\bghr_[0-9a-zA-Z]{36}\b/ },
  { id: 'github-fine-grained-pat', pattern: /\bgithub_pat_[0-9a-zA-Z_]{82}\b/ },
  { id: 'gitlab-pat', pattern: /\bglpat-[0-9a-zA-Z_-]{20}\b/ },
  { id: 'slack-bot-token', pattern: /\bxoxb-[0-9]{10,13}-[0-9]{10,13}-[a-zA-Z0-9-]*/ },
  { id: 'slack-user-token', pattern: /\bxox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}/ },
  { id: 'slack-webhook-url', pattern: /hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{43,46}/ },
  { id: 'stripe-access-token', pattern: /\b(?:sk|rk)_(?:test|live|prod)_[0-9a-zA-Z]{10,99}\b/ },
  { id: 'gcp-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { id: 'private-key', pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/ },
  { id: 'npm-access-token', pattern: /\bnpm_[a-zA-Z0-9]{36}\b/ },
  { id: 'sendgrid-api-token', pattern: /\bSG\.[a-zA-Z0-9=_-]{22}\.[a-zA-Z0-9=_-]{43}\b/ },
  { id: 'twilio-api-key', pattern: /\bSK[0-9a-fA-F]{32}\b/ },
  {
    id: 'openai-api-key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}\b/,
  },
  { id: 'anthropic-api-key', pattern: /\bsk-ant-(?:api03|admin01)-[a-zA-Z0-9_-]{93}AA\b/ },
  { id: 'shopify-access-token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/ },
  { id: 'square-access-token', pattern: /\b(?:EAAA|sq0atp-)[0-9A-Za-z_-]{22,60}\b/ },
  { id: 'mailgun-private-api-token', pattern: /\bkey-[a-f0-9]{32}\b/ },
  { id: 'datadog-api-key', pattern: /\bdd(?:api|app)_[a-zA-Z0-9]{32,40}\b/ },
  { id: 'jwt', pattern: /\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/_-]{17,}\.[a-zA-Z0-9/_-]{10,}={0,2}/ },
  { id: 'pypi-upload-token', pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/ },
  { id: 'digitalocean-pat', pattern: /\bdop_v1_[a-f0-9]{64}\b/ },
];

/** The id of the first rule `literal` matches. */
export function matchSecret(literal: string): string | undefined {
  if (literal.length < 16 || literal.length > 10_000) return undefined;
  return SECRET_RULES.find((r) => r.pattern.test(literal))?.id;
}

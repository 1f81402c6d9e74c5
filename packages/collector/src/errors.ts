/**
 * Every error the collector reports carries a stable code from this one catalogue
 * (documented in docs/errors.md), so that clients and operators can match on it.
 */
export const ERROR_CODES = {
  SLC_ERR_INTAKE_TOO_LARGE: 413,
  SLC_ERR_INTAKE_MALFORMED: 400,
  SLC_ERR_INTAKE_UNSUPPORTED_MEDIA_TYPE: 415,
  SLC_ERR_INTAKE_IAST_INVALID: 400,
  SLC_ERR_INTAKE_LIMIT_EXCEEDED: 400,
  SLC_ERR_METHOD_NOT_ALLOWED: 405,
  SLC_ERR_NOT_FOUND: 404,
  SLC_ERR_UNAUTHORIZED: 401,
  SLC_ERR_BAD_REQUEST: 400,
  SLC_ERR_FINDING_NOT_FOUND: 404,
  SLC_ERR_INVALID_STATUS: 400,
  SLC_ERR_REASON_REQUIRED: 400,
  SLC_ERR_STORE_UNAVAILABLE: 503,
  SLC_ERR_STORE_URL_INVALID: 500,
  SLC_ERR_INTERNAL: 500,
  SLC_ERR_COLLECTOR_UNREACHABLE: 3,
  SLC_ERR_CLI_USAGE: 2,
  SLC_ERR_REPORT_INPUT_INVALID: 2,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CollectorError extends Error {
  readonly code: ErrorCode;
  /** HTTP status for HTTP errors; process exit code for CLI errors. */
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectorError';
    this.code = code;
    this.status = ERROR_CODES[code];
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isCollectorError(err: unknown): err is CollectorError {
  return err instanceof CollectorError;
}

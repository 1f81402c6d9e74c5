/** Whether a response head describes an HTML page (the header checks apply only to those). */
export function isHtmlResponse(statusCode: number, headers: Readonly<Record<string, unknown>>): boolean {
  if (statusCode < 200 || statusCode === 204 || statusCode === 304) return false;
  const raw = headers['content-type'];
  const type = String(Array.isArray(raw) ? raw[0] : (raw ?? ''))
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}

export function headerValue(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const raw = headers[name];
  if (raw === undefined || raw === null) return undefined;
  return String(Array.isArray(raw) ? raw.join(', ') : raw);
}

/** Parses the Set-Cookie headers of a response head, shared by the three cookie analyzers. */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names lower-cased, with their values (`''` for flags). */
  readonly attributes: ReadonlyMap<string, string>;
}

export function parseSetCookies(header: unknown): SetCookie[] {
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [header];
  const out: SetCookie[] = [];
  for (const line of lines) {
    if (typeof line !== 'string') continue;
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = (eq === -1 ? '' : pair.slice(0, eq)).trim();
    const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
    const attributes = new Map<string, string>();
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase();
      if (key !== '') attributes.set(key, i === -1 ? '' : attr.slice(i + 1).trim());
    }
    out.push({ name, value, attributes });
  }
  return out;
}

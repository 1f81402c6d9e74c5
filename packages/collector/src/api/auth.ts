import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'sluice_token';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export type AuthResult = { ok: true; viaQuery: boolean } | { ok: false };

/** Bearer header, the UI's cookie, or `?token=` (first load of the UI, which then sets the cookie). */
export function checkToken(req: IncomingMessage, url: URL, token: string | null): AuthResult {
  if (token === null) return { ok: true, viaQuery: false };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && same(auth.slice(7).trim(), token)) return { ok: true, viaQuery: false };
  const fromCookie = cookie(req, TOKEN_COOKIE);
  if (fromCookie && same(fromCookie, token)) return { ok: true, viaQuery: false };
  const fromQuery = url.searchParams.get('token');
  if (fromQuery && same(fromQuery, token)) return { ok: true, viaQuery: true };
  return { ok: false };
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}

import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>Sluice collector</title>
<h1>Sluice collector</h1><p>The Vulnerability Explorer is not built in this installation.
The REST API is at <a href="/api/findings">/api/findings</a>.</p>`;

/**
 * Serves the Explorer's files from one directory: `/` is index.html, `/ui/<file>` a file, and
 * any other `/ui/...` path falls back to index.html so the page's own routes survive a reload.
 */
export function serveStatic(
  res: ServerResponse,
  dir: string | null,
  pathname: string,
  extraHeaders: Record<string, string>,
): void {
  const security = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...extraHeaders,
  };
  if (!dir || !existsSync(join(dir, 'index.html'))) {
    res.writeHead(200, { 'content-type': TYPES['.html'] as string, ...security });
    res.end(PLACEHOLDER);
    return;
  }
  const root = resolve(dir);
  let rel =
    pathname === '/' || pathname === '/ui' || pathname === '/ui/'
      ? 'index.html'
      : pathname.replace(/^\/ui\//, '');
  try {
    rel = decodeURIComponent(rel);
  } catch {
    rel = 'index.html';
  }
  let file = resolve(root, rel);
  if (file !== root && !file.startsWith(root + sep)) file = join(root, 'index.html');
  let stat = existsSync(file) ? statSync(file) : null;
  if (!stat?.isFile()) {
    file = join(root, 'index.html');
    stat = statSync(file);
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=300',
    ...security,
  });
  createReadStream(file).pipe(res);
}

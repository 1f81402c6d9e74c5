import type { IncomingMessage, ServerResponse } from 'node:http';
import { CollectorError } from './errors.js';

/** Reads a request body up to `limit` bytes; a larger one is refused without buffering it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(
        new CollectorError(
          'SLC_ERR_INTAKE_TOO_LARGE',
          `payload of ${declared} bytes exceeds the limit of ${limit} bytes`,
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new CollectorError('SLC_ERR_INTAKE_TOO_LARGE', `payload exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new CollectorError('SLC_ERR_INTAKE_MALFORMED', `request aborted: ${err.message}`));
      }
    });
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof CollectorError
      ? err
      : new CollectorError('SLC_ERR_INTERNAL', 'internal error', { cause: err });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // After an oversized body the rest of the upload is not read: close rather than reuse the socket.
  sendJson(res, e.status, e.toJSON(), e.code === 'SLC_ERR_INTAKE_TOO_LARGE' ? { connection: 'close' } : {});
}

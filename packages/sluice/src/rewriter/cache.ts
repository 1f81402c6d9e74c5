// Optional on-disk cache of rewritten files, so that a restart costs a hash and a read.
// Keyed by content hash + Sluice version + options; entries are written atomically and any
// unreadable entry is treated as a miss.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RewriteStats, StringLiteral } from './rewrite.js';

export interface CachedRewrite {
  code: string;
  changed: boolean;
  literals: StringLiteral[];
  stats: RewriteStats;
}

export class RewriteCache {
  private readonly salt: string;

  /** `salt` identifies everything besides the file that shapes the output (version, options). */
  constructor(
    private readonly dir: string,
    salt: string,
  ) {
    this.salt = salt;
  }

  key(filename: string, isModule: boolean | undefined, code: string): string {
    return createHash('sha256')
      .update(this.salt)
      .update('\0')
      .update(filename)
      .update('\0')
      .update(String(isModule))
      .update('\0')
      .update(code)
      .digest('hex');
  }

  get(key: string): CachedRewrite | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.path(key), 'utf8')) as CachedRewrite;
      return typeof entry.code === 'string' ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: string, entry: CachedRewrite): void {
    try {
      const file = this.path(key);
      mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      // A read-only or full disk only costs the next start-up a rewrite.
    }
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}

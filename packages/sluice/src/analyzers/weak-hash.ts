/** WEAK_HASH: application code asks crypto for a broken hash (MD2/MD4/MD5/SHA-1 family). */
import { Analyzer } from './analyzer.js';

const WEAK =
  /^(?:rsa-)?(?:md2|md4|md5|sha1|sha-1|ripemd|ripemd160|rmd160)(?:-sha1|withrsaencryption|-2)?$|^ssl3-(?:md5|sha1)$/;

export function isWeakHash(algorithm: string): boolean {
  return WEAK.test(algorithm.toLowerCase());
}

export class WeakHashAnalyzer extends Analyzer {
  readonly type = 'WEAK_HASH';

  enable(): void {
    this.on('sluice:crypto.hash', ({ algorithm, hook }) => {
      if (!isWeakHash(algorithm)) return;
      this.deps.reporter.report({
        type: this.type,
        evidence: { value: algorithm.toLowerCase() },
        directCaller: true,
        skip: hook,
      });
    });
  }
}

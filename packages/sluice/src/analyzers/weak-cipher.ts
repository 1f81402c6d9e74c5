/** WEAK_CIPHER: application code creates a cipher with a broken algorithm (DES, 3DES, RC2, RC4, Blowfish). */
import { Analyzer } from './analyzer.js';

const WEAK = /^(?:des|des3|des-.*|des3-.*|rc2.*|rc4.*|bf|bf-.*|blowfish.*|id-smime-alg-cms3deswrap)$/;

export function isWeakCipher(algorithm: string): boolean {
  return WEAK.test(algorithm.toLowerCase());
}

export class WeakCipherAnalyzer extends Analyzer {
  readonly type = 'WEAK_CIPHER';

  enable(): void {
    this.on('sluice:crypto.cipher', ({ algorithm, hook }) => {
      if (!isWeakCipher(algorithm)) return;
      this.deps.reporter.report({
        type: this.type,
        evidence: { value: algorithm.toLowerCase() },
        directCaller: true,
        skip: hook,
      });
    });
  }
}

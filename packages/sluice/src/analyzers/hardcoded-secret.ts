/** HARDCODED_SECRET: a string literal in application code matches a secret rule (hardcoded-secret-rules.ts). */
import { Analyzer } from './analyzer.js';
import { matchSecret } from './hardcoded-secret-rules.js';

export class HardcodedSecretAnalyzer extends Analyzer {
  readonly type = 'HARDCODED_SECRET';

  constructor(
    deps: ConstructorParameters<typeof Analyzer>[0],
    private readonly relative: (file: string) => string,
  ) {
    super(deps);
  }

  enable(): void {
    this.on('sluice:rewriter.literals', ({ file, literals }) => {
      for (const literal of literals) {
        const rule = matchSecret(literal.value);
        if (!rule) continue;
        this.deps.reporter.report({
          type: this.type,
          evidence: { value: rule },
          location: {
            path: this.relative(file),
            line: literal.line,
            column: literal.column,
            method: undefined,
            class: undefined,
          },
        });
      }
    });
  }
}

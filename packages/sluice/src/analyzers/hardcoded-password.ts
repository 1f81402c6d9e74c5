/**
 * HARDCODED_PASSWORD: a string literal of 4 to 512 characters without spaces is assigned to a
 * variable, property or parameter default whose name says it holds a password
 * (`password`, `passwd`, `pwd`, `pass`, `passphrase`, `secret`, with any prefix such as
 * `dbPassword` or `DB_PASS`). Placeholders (`changeme`, `<...>`, `${...}`, all one character)
 * are skipped. The evidence is the name, never the password.
 */
import { Analyzer } from './analyzer.js';

const NAME = /(?:^|[_.-]|[a-z0-9](?=[A-Z]))(?:pass(?:word|wd|phrase)?|pwd|secret)$/i;
const PLACEHOLDER =
  /^(?:changeme|change_me|password|secret|xxx+|\*+|todo|example|placeholder|<[^>]*>|\$\{[^}]*\}|%[^%]*%)$/i;

export function isHardcodedPassword(name: string | undefined, value: string): boolean {
  if (!name || !NAME.test(name)) return false;
  if (value.length < 4 || value.length > 512 || /\s/.test(value)) return false;
  if (PLACEHOLDER.test(value) || /^(.)\1*$/.test(value)) return false;
  return true;
}

export class HardcodedPasswordAnalyzer extends Analyzer {
  readonly type = 'HARDCODED_PASSWORD';

  constructor(
    deps: ConstructorParameters<typeof Analyzer>[0],
    private readonly relative: (file: string) => string,
  ) {
    super(deps);
  }

  enable(): void {
    this.on('sluice:rewriter.literals', ({ file, literals }) => {
      for (const literal of literals) {
        if (!isHardcodedPassword(literal.name, literal.value)) continue;
        this.deps.reporter.report({
          type: this.type,
          evidence: { value: literal.name },
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

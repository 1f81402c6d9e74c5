/**
 * COMMAND_INJECTION: a tainted command, or tainted arguments that a shell interprets: the
 * command line of exec/execSync, `[file, ...args]` joined by spaces when `shell` is set (what
 * Node passes to the shell), and `sh -c <script>`-style calls of a shell. Arguments passed
 * without a shell reach the program as they are and are not reported.
 */
import { Analyzer } from './analyzer.js';
import { joinTainted, SeenPerRequest, vulnerableRanges } from './tainted-sink.js';

const SHELLS = /(?:^|[/\\])(?:sh|bash|dash|zsh|ksh|ash|fish|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)$/i;

export class CommandInjectionAnalyzer extends Analyzer {
  readonly type = 'COMMAND_INJECTION';
  // exec calls execFile with `shell` set: one command line, one finding.
  readonly #seen = new SeenPerRequest();

  enable(): void {
    this.on('sluice:child_process.command', ({ command, args, shell }) => {
      if (typeof command !== 'string') return;
      const engine = this.deps.engine?.();
      const runsShellScript =
        SHELLS.test(command) && (args ?? []).some((a) => a === '-c' || a === '/c' || a === '-Command');
      const evidence = joinTainted(engine, [command, ...(args ?? [])], ' ', this.type);
      if (evidence.ranges.length === 0) return;
      // Without a shell only the program itself matters.
      if (!shell && !runsShellScript && vulnerableRanges(engine, command, this.type) === undefined) return;
      if (!this.#seen.first(this.deps.contexts.current(), evidence.value)) return;
      this.deps.reporter.report({ type: this.type, evidence });
    });
  }
}

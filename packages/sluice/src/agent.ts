/**
 * The running agent: every piece of state lives in the Agent object created at start-up
 * (config → engine → propagation runtime → rewriter → instrumentations and analyzers →
 * exporters). Each start-up step is guarded: a failure is counted, logged once, and the
 * application starts anyway.
 */
import path from 'node:path';
import type { Analyzer, AnalyzerDeps } from './analyzers/analyzer.js';
import { CodeInjectionAnalyzer } from './analyzers/code-injection.js';
import { CommandInjectionAnalyzer } from './analyzers/command-injection.js';
import { HardcodedPasswordAnalyzer } from './analyzers/hardcoded-password.js';
import { HardcodedSecretAnalyzer } from './analyzers/hardcoded-secret.js';
import { HeaderInjectionAnalyzer } from './analyzers/header-injection.js';
import { HstsHeaderMissingAnalyzer } from './analyzers/hsts-header-missing.js';
import { InsecureCookieAnalyzer } from './analyzers/insecure-cookie.js';
import { LdapInjectionAnalyzer } from './analyzers/ldap-injection.js';
import { NoHttpOnlyCookieAnalyzer } from './analyzers/no-httponly-cookie.js';
import { NoSameSiteCookieAnalyzer } from './analyzers/no-samesite-cookie.js';
import { NosqlMongodbInjectionAnalyzer } from './analyzers/nosql-mongodb-injection.js';
import { PathTraversalAnalyzer } from './analyzers/path-traversal.js';
import { SqlInjectionAnalyzer } from './analyzers/sql-injection.js';
import { SsrfAnalyzer } from './analyzers/ssrf.js';
import { StacktraceLeakAnalyzer } from './analyzers/stacktrace-leak.js';
import { TemplateInjectionAnalyzer } from './analyzers/template-injection.js';
import { UntrustedDeserializationAnalyzer } from './analyzers/untrusted-deserialization.js';
import { UnvalidatedRedirectAnalyzer } from './analyzers/unvalidated-redirect.js';
import { WeakCipherAnalyzer } from './analyzers/weak-cipher.js';
import { WeakHashAnalyzer } from './analyzers/weak-hash.js';
import { WeakRandomnessAnalyzer } from './analyzers/weak-randomness.js';
import { XContentTypeHeaderMissingAnalyzer } from './analyzers/xcontenttype-header-missing.js';
import { XssAnalyzer } from './analyzers/xss.js';
import { channel } from './channels.js';
import type { SluiceConfig } from './config.js';
import { Deduplicator } from './context/dedup.js';
import { ContextManager } from './context/manager.js';
import type { RequestContext } from './context/request-context.js';
import { type AgentErrorCode, createLogger, Failures, type Logger } from './errors.js';
import { CryptoInstrumentation } from './instrument/crypto.js';
import { HttpServerInstrumentation } from './instrument/http-server.js';
import type { Instrumentation } from './instrument/instrumentation.js';
import { MathRandomInstrumentation } from './instrument/math-random.js';
import { sinkInstrumentations } from './instrument/sinks.js';
import { AgentExporter, FileExporter, type SpanExporter } from './report/exporter.js';
import type { Finding } from './report/finding.js';
import { FrameResolver } from './report/location.js';
import { Reporter } from './report/reporter.js';
import {
  attachFindings,
  baseMeta,
  type SpanDefaults,
  type TraceSpan,
  vulnerabilitySpan,
} from './report/span.js';
import { Summary } from './report/summary.js';
import { installSecurityControls } from './security-controls/install.js';
import { taintRequest } from './sources/request-sources.js';
import type { TaintEngine } from './taint/types.js';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const VERSION = (() => {
  try {
    return (require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
const FLUSH_INTERVAL_MS = 1000;

export class Agent {
  readonly log: Logger;
  readonly failures: Failures;
  readonly summary = new Summary();
  readonly exporters: SpanExporter[] = [];
  engine: TaintEngine | undefined;
  readonly contexts: ContextManager;
  readonly reporter: Reporter;
  readonly frames: FrameResolver;
  readonly #dedup: Deduplicator | undefined;
  readonly #instrumentations: Instrumentation[] = [];
  readonly #analyzers: Analyzer[] = [];
  readonly #undo: Array<() => void> = [];
  readonly #defaults: SpanDefaults;
  #timer: NodeJS.Timeout | undefined;
  #flushing = false;
  #stopped = false;

  constructor(
    readonly config: SluiceConfig,
    log?: Logger,
    readonly cwd: string = process.cwd(),
  ) {
    this.log = log ?? createLogger(config.logLevel);
    this.failures = new Failures(this.log);
    this.#defaults = {
      service: config.service,
      env: config.env,
      version: config.version,
      redaction: {
        enabled: config.iast.redactionEnabled,
        namePattern: config.iast.redactionNamePattern,
        valuePattern: config.iast.redactionValuePattern,
      },
    };
    this.frames = new FrameResolver(
      cwd,
      [path.join(PACKAGE_ROOT, 'dist') + path.sep, path.join(PACKAGE_ROOT, 'src') + path.sep],
      (e) => this.failures.record('SLUICE_ERR_SOURCE_MAP', e),
    );
    this.#dedup = config.iast.deduplicationEnabled ? new Deduplicator() : undefined;
    this.contexts = new ContextManager(
      config.iast,
      () => this.engine,
      (ctx) => this.#guarded('SLUICE_ERR_HOOK', () => this.#endRequest(ctx)),
    );
    this.reporter = new Reporter(
      { stackTraceEnabled: config.iast.stackTraceEnabled },
      this.contexts,
      this.frames,
      this.#dedup,
      (finding) => this.#export(vulnerabilitySpan([finding], this.#defaults)),
      (finding) => this.summary.add(finding),
    );
  }

  #guarded(code: AgentErrorCode, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.failures.record(code, error);
    }
  }

  start(): this {
    this.#guarded('SLUICE_ERR_ENGINE', () => {
      const { createEngine } = require('./taint/engine.js') as typeof import('./taint/engine.js');
      this.engine = createEngine(this.config.engine, this.log);
    });
    let propagating = false;
    if (this.engine) this.#guarded('SLUICE_ERR_INIT', () => (propagating = this.#installPropagation()));
    // Rewritten code calls the propagation runtime: without one, nothing is rewritten.
    if (propagating) this.#guarded('SLUICE_ERR_INIT', () => this.#installRewriter());
    this.#guarded('SLUICE_ERR_INIT', () => this.#startExporters());
    this.#guarded('SLUICE_ERR_INIT', () => this.#startAnalysis());
    this.#guarded('SLUICE_ERR_INIT', () =>
      this.#undo.push(
        installSecurityControls(this.config.iast.securityControlsConfiguration, {
          cwd: this.cwd,
          engine: () => this.engine,
          log: this.log,
          guard: (error) => this.failures.record('SLUICE_ERR_HOOK', error),
        }),
      ),
    );
    this.log.info(
      `sluice ${VERSION} started (engine ${this.engine?.kind ?? 'none'}, service ${this.config.service}, agent ${this.config.agentUrl})`,
    );
    return this;
  }

  #installPropagation(): boolean {
    let runtime:
      | {
          installPropagationRuntime?: (
            engine: TaintEngine,
            options: { onEval: (code: string) => void },
          ) => unknown;
        }
      | undefined;
    try {
      runtime = require('./propagation/index.js');
    } catch {
      this.log.debug('propagation runtime not available');
      return false;
    }
    if (typeof runtime?.installPropagationRuntime !== 'function') return false;
    // Direct eval cannot be wrapped: rewritten code reports its tainted argument instead.
    const compile = channel('sluice:code.compile');
    const uninstall = runtime.installPropagationRuntime(this.engine as TaintEngine, {
      onEval: (code) => compile.publish({ api: 'eval', code }),
    });
    if (typeof uninstall === 'function') this.#undo.push(uninstall as () => void);
    else if (uninstall && typeof (uninstall as { uninstall?: unknown }).uninstall === 'function')
      this.#undo.push(() => (uninstall as { uninstall: () => void }).uninstall());
    return true;
  }

  #installRewriter(): void {
    const { installRewriter } = require('./rewriter/install.js') as typeof import('./rewriter/install.js');
    const literals = channel('sluice:rewriter.literals');
    const handle = installRewriter({
      include: [...this.config.rewriter.include],
      exclude: [...this.config.rewriter.exclude],
      ...(this.config.rewriter.cacheDir ? { cacheDir: this.config.rewriter.cacheDir } : {}),
      logger: { warn: (m) => this.log.warn(m), debug: (m) => this.log.debug(m) },
      onRewrite: (file, info) => {
        this.#guarded('SLUICE_ERR_ANALYZER', () => {
          if (info.literals.length > 0) literals.publish({ file, literals: info.literals });
        });
      },
    });
    this.#undo.push(() => handle.uninstall());
  }

  #startExporters(): void {
    this.exporters.push(
      new AgentExporter({ url: this.config.agentUrl, failures: this.failures, tracerVersion: VERSION }),
    );
    if (this.config.reportFile)
      this.exporters.push(new FileExporter(path.resolve(this.cwd, this.config.reportFile), this.failures));
    this.#timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.#timer.unref();
    const beforeExit = () => {
      if (this.#pending()) void this.flush();
    };
    const exit = () => this.#onExit();
    process.on('beforeExit', beforeExit);
    process.on('exit', exit);
    this.#undo.push(() => {
      process.off('beforeExit', beforeExit);
      process.off('exit', exit);
      clearInterval(this.#timer);
    });
  }

  #startAnalysis(): void {
    const guard = (error: unknown) => this.failures.record('SLUICE_ERR_HOOK', error);
    this.#instrumentations.push(
      new HttpServerInstrumentation(this.contexts.run, guard),
      new CryptoInstrumentation(guard),
      new MathRandomInstrumentation(guard),
      ...sinkInstrumentations(
        () => this.engine,
        guard,
        {
          rowsToTaint: this.config.iast.dbRowsToTaint,
          inRequest: () => this.contexts.current() !== undefined,
        },
        () => this.contexts.current()?.requestObjects,
      ),
    );
    const start = channel('sluice:http.server.request.start');
    const end = channel('sluice:http.server.request.end');
    const onStart = ({ req }: { req: import('./channels.js').ServerRequest }) => {
      const engine = this.engine;
      const ctx = this.contexts.current();
      if (!engine || !ctx) return;
      this.#guarded('SLUICE_ERR_SOURCE', () =>
        taintRequest(engine, req, (e) => this.failures.record('SLUICE_ERR_SOURCE', e), ctx.requestObjects),
      );
    };
    const onEnd = ({ res }: { res: import('./channels.js').ServerResponseLike }) => this.contexts.end(res);
    start.subscribe(onStart);
    end.subscribe(onEnd);
    this.#undo.push(() => {
      start.unsubscribe(onStart);
      end.unsubscribe(onEnd);
    });
    const deps: AnalyzerDeps = {
      reporter: this.reporter,
      contexts: this.contexts,
      guard: (error) => this.failures.record('SLUICE_ERR_ANALYZER', error),
      service: this.config.service,
      engine: () => this.engine,
    };
    const relative = (file: string) => this.frames.relative(file);
    this.#analyzers.push(
      new WeakHashAnalyzer(deps),
      new WeakCipherAnalyzer(deps),
      new WeakRandomnessAnalyzer(deps),
      new InsecureCookieAnalyzer(deps),
      new NoHttpOnlyCookieAnalyzer(deps),
      new NoSameSiteCookieAnalyzer(deps),
      new HstsHeaderMissingAnalyzer(deps),
      new XContentTypeHeaderMissingAnalyzer(deps),
      new StacktraceLeakAnalyzer(deps),
      new HardcodedSecretAnalyzer(deps, relative),
      new HardcodedPasswordAnalyzer(deps, relative),
      new SqlInjectionAnalyzer(deps),
      new CommandInjectionAnalyzer(deps),
      new CodeInjectionAnalyzer(deps),
      new PathTraversalAnalyzer(deps),
      new UnvalidatedRedirectAnalyzer(deps),
      new HeaderInjectionAnalyzer(deps),
      new XssAnalyzer(deps),
      new SsrfAnalyzer(deps, { pathEnabled: this.config.iast.ssrfPathEnabled }),
      new TemplateInjectionAnalyzer(deps),
      new NosqlMongodbInjectionAnalyzer(deps),
      new LdapInjectionAnalyzer(deps),
      new UntrustedDeserializationAnalyzer(deps),
    );
    for (const analyzer of this.#analyzers) this.#guarded('SLUICE_ERR_INIT', () => analyzer.enable());
    for (const inst of this.#instrumentations) this.#guarded('SLUICE_ERR_INIT', () => inst.enable());
  }

  #endRequest(ctx: RequestContext): void {
    const req = ctx.req as import('node:http').IncomingMessage & {
      originalUrl?: string;
      baseUrl?: string;
      route?: { path?: unknown };
    };
    const method = String(req.method ?? 'GET');
    const routePath =
      typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
    const headers = req.headers as Record<string, unknown>;
    const host = String(headers.host ?? headers[':authority'] ?? 'localhost');
    const rawPath = String(req.originalUrl ?? req.url ?? '/').split('?')[0];
    const status = ctx.res.statusCode;
    const meta: Record<string, string> = {
      ...baseMeta(this.#defaults),
      component: 'sluice',
      'http.method': method,
      'http.url': `${ctx.secure ? 'https' : 'http'}://${host}${rawPath}`,
      'http.status_code': String(status),
    };
    if (routePath) meta['http.route'] = routePath;
    if (ctx.trace.traceIdHigh) meta['_dd.p.tid'] = ctx.trace.traceIdHigh;
    const span: TraceSpan = {
      trace_id: ctx.trace.traceId,
      span_id: ctx.spanId,
      parent_id: ctx.trace.parentId,
      name: 'web.request',
      service: this.config.service,
      resource: routePath ? `${method} ${routePath}` : method,
      type: 'web',
      start: ctx.start,
      duration: process.hrtime.bigint() - ctx.startHr,
      error: status >= 500 ? 1 : 0,
      meta,
      metrics: { _top_level: 1 },
    };
    attachFindings(span, ctx.findings, this.#defaults);
    this.#export(span);
  }

  #export(span: TraceSpan): void {
    for (const exporter of this.exporters) exporter.export(span);
  }

  #pending(): boolean {
    return !this.#flushing && this.exporters.some((e) => e.pending() > 0);
  }

  /** Sends what every exporter holds; never rejects. */
  async flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      await this.contexts.outside(() => Promise.all(this.exporters.map((e) => e.flush())));
    } catch (error) {
      this.failures.record('SLUICE_ERR_EXPORT', error);
    } finally {
      this.#flushing = false;
    }
  }

  #onExit(): void {
    for (const exporter of this.exporters) this.#guarded('SLUICE_ERR_EXPORT', () => exporter.flushSync());
    // Under `sluice run`, processes other than the command itself (npm, a test runner's
    // workers) print only when they found something.
    const quiet =
      process.env.SLUICE_RUN_PID !== undefined && String(process.ppid) !== process.env.SLUICE_RUN_PID;
    if (this.config.summary && !(quiet && this.summary.size === 0)) {
      this.#guarded('SLUICE_ERR_INIT', () => {
        const dropped = this.exporters.reduce((n, e) => n + e.stats().dropped, 0);
        const extra = dropped > 0 ? [`sluice: ${dropped} span(s) could not be exported`] : [];
        process.stderr.write(`${this.summary.render(extra)}\n`);
      });
    }
  }

  /** Findings reported so far, by type (for the summary and tests). */
  stats(): Record<string, unknown> {
    return {
      requests: this.contexts.stats(),
      findings: this.reporter.stats(),
      exporters: this.exporters.map((e) => e.stats()),
      failures: this.failures.snapshot(),
      taint: this.engine?.stats(),
    };
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const inst of this.#instrumentations.splice(0))
      this.#guarded('SLUICE_ERR_INIT', () => inst.disable());
    for (const analyzer of this.#analyzers.splice(0))
      this.#guarded('SLUICE_ERR_INIT', () => analyzer.disable());
    while (this.#undo.length > 0) {
      const undo = this.#undo.pop();
      if (undo) this.#guarded('SLUICE_ERR_INIT', undo);
    }
    this.#dedup?.stop();
  }
}

export type { Finding };

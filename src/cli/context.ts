// What every command gets: where to write, the environment, the global flags (the same
// on every command: --kubeconfig, --context, --request-timeout, --state-dir, -v, --no-color,
// --qps, --burst) and a connect() that turns them into a checked Cluster connection.
import type { Command } from 'commander';
import { type Clock, clockFromEnv } from '../common/clock.js';
import { UsageError } from '../common/errors.js';
import type { Connection } from '../cluster/connect.js';
import { parseRequestTimeout } from '../cluster/duration.js';
import { RequestRecorder } from '../cluster/recorder.js';
import { resolveStateRoot } from '../journal/paths.js';
import { type Colors, colorEnabled, colors } from './output.js';

export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  requestTimeout: string;
  stateDir?: string;
  verbose: number;
  color: boolean;
  qps: string;
  burst: string;
}

export class CliContext {
  /** Every API request this process made (for -vv and tests). */
  readonly recorder = new RequestRecorder();
  /** What the process exits with when the command returns normally (plan: 3 on failed preflight). */
  exitCode: number = 0;
  private clockCache: Clock | undefined;
  private tracing = false;

  constructor(
    readonly io: CliIO,
    /** "fallow", or "kubectl fallow" when run as a kubectl plugin. */
    readonly name: string,
  ) {}

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  /** The run's clock: FALLOW_CLOCK (a rehearsal's scaled clock) or real time. */
  get clock(): Clock {
    this.clockCache ??= clockFromEnv(this.io.env);
    return this.clockCache;
  }

  colors(g: GlobalOptions): Colors {
    return colors(colorEnabled(g.color, this.io.stdout, this.io.env));
  }

  stateRoot(g: GlobalOptions): string {
    return resolveStateRoot(g.stateDir, this.io.env);
  }

  /** Diagnostics on stderr, shown from verbosity `level` up. */
  log(g: GlobalOptions, level: number, msg: string): void {
    if (g.verbose >= level) this.io.stderr.write(`${this.name}: ${msg}\n`);
  }

  async connect(g: GlobalOptions, opts: { requireHarvester?: boolean } = {}): Promise<Connection> {
    const qps = positiveNumber(g.qps, '--qps', true);
    const burst = positiveNumber(g.burst, '--burst', false);
    if (g.verbose >= 2 && !this.tracing) {
      this.tracing = true;
      this.recorder.onRecord((r) =>
        this.io.stderr.write(`${this.name}: ${r.method} ${r.path}${r.query ? `?${r.query}` : ''} → ${r.status || r.error} (${r.durationMs} ms)\n`),
      );
    }
    // Loaded on use: the Kubernetes client is most of fallow's start-up time, and --help,
    // completion and status do not need it.
    const { connect } = await import('../cluster/connect.js');
    const conn = await connect({
      ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}),
      ...(g.context ? { context: g.context } : {}),
      env: this.io.env,
      requestTimeoutMs: parseRequestTimeout(g.requestTimeout),
      rateLimit: { qps, burst: Math.max(1, burst) },
      recorder: this.recorder,
      clock: this.clock,
      requireHarvester: opts.requireHarvester ?? true,
    });
    this.log(g, 1, `connected to ${conn.kubeconfig.server} (context ${conn.kubeconfig.context}, Kubernetes ${conn.version.gitVersion})`);
    return conn;
  }
}

function positiveNumber(v: string, flag: string, zeroOk: boolean): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new UsageError(`invalid ${flag} "${v}"`, `Pass a number${zeroOk ? ' (0 = no limit)' : ' ≥ 1'}`);
  return n;
}

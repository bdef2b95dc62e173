// Runs a runbook from the CLI: progress on the terminal, Ctrl-C handling (once: stop
// cleanly after the current act and say how to resume; twice: abort, journal intact),
// confirmations through the operator console, and the result turned into an exit code.
import type { EngineOptions, RunResult } from '../../engine/options.js';
import type { Runbook } from '../../engine/types.js';
import { resumeRun, runRunbook, type RunInfo } from '../../engine/run.js';
import type { ClusterIdentity } from '../../journal/records.js';
import type { RunbookEnv } from '../../runbook/env.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { operatorConsole } from './console.js';
import { ProgressPrinter, progressMode } from './progress.js';
import type { SessionFlags } from './flags.js';

export type { SessionFlags } from './flags.js';

export interface SessionSpec {
  runbook: Runbook<RunbookEnv>;
  identity: ClusterIdentity;
  makeEnv: (run: RunInfo, operator: ReturnType<typeof operatorConsole>) => Promise<{ env: RunbookEnv; close(): Promise<void> }>;
  parentRunId?: string;
  /** Resume this run directory instead of starting a new run. */
  resumeDir?: string;
  allowServerChange?: boolean;
}

/** Options stored with the run so `resume` rebuilds it (never secrets: paths only). */
export function storedFlags(f: SessionFlags): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(f)) if ((typeof v === 'string' || typeof v === 'boolean') && !['output', 'dryRun', 'only', 'until'].includes(k)) out[k] = v;
  return out;
}

export async function runSession(ctx: CliContext, g: GlobalOptions, f: SessionFlags, spec: SessionSpec): Promise<RunResult> {
  const mode = progressMode({ output: f.output, stream: ctx.io.stdout, env: ctx.io.env, color: g.color });
  const printer = new ProgressPrinter(ctx.io.stdout, mode, ctx.colors(g));
  const operator = operatorConsole(ctx.io, { yes: f.yes ?? false, beforeWrite: () => printer.flush() });
  const stop = new AbortController();
  const hard = new AbortController();
  const onSigint = () => {
    if (!stop.signal.aborted) {
      printer.flush();
      ctx.io.stderr.write(`${ctx.name}: stopping after the current act (Ctrl-C again aborts at once; the journal stays intact). Then: ${ctx.name} resume\n`);
      stop.abort(new Error('interrupted'));
    } else hard.abort(new Error('aborted'));
  };
  process.on('SIGINT', onSigint);
  const closers: (() => Promise<void>)[] = [];
  const engineOptions: EngineOptions = {
    dryRun: f.dryRun ?? false,
    ...(f.only ? { only: f.only.split(',').map((s) => s.trim()) } : {}),
    ...(f.until ? { until: f.until } : {}),
    yes: f.yes ?? false,
    interactive: operator.interactive,
    prompt: (req) => operator.prompt(req),
    signal: stop.signal,
    hardSignal: hard.signal,
  };
  const makeEnv = async (run: RunInfo) => {
    const built = await spec.makeEnv(run, operator);
    closers.push(built.close);
    return built.env;
  };
  try {
    const common = { runbook: spec.runbook, makeEnv, clock: ctx.clock, identity: spec.identity, options: engineOptions, onEvent: printer.onEvent };
    const result = spec.resumeDir
      ? await resumeRun({ ...common, runDir: spec.resumeDir, ...(spec.allowServerChange ? { allowServerChange: true } : {}) })
      : await runRunbook({ ...common, stateDir: ctx.stateRoot(g), runOptions: storedFlags(f), ...(spec.parentRunId ? { parentRunId: spec.parentRunId } : {}) });
    printer.flush();
    if (result.state === 'stopped') {
      // The engine's message already carries the error's hint.
      ctx.io.stderr.write(`${ctx.name}: ${result.message ?? 'stopped'}${result.runDir ? ` (journal: ${result.runDir})` : ''}\n`);
    }
    ctx.exitCode = result.exitCode;
    return result;
  } finally {
    process.off('SIGINT', onSigint);
    for (const c of closers) await c().catch(() => undefined);
  }
}

// Runs a runbook from the CLI: progress on the terminal, Ctrl-C handling (once: stop
// cleanly after the current act and say how to resume; twice: abort, journal intact),
// confirmations through the operator console, and the result turned into an exit code.
import type { Command } from 'commander';
import type { EngineOptions, RunResult } from '../../engine/options.js';
import type { Runbook } from '../../engine/types.js';
import { resumeRun, runRunbook, type RunInfo } from '../../engine/run.js';
import type { ClusterIdentity } from '../../journal/records.js';
import type { RunbookEnv } from '../../runbook/env.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { operatorConsole } from './console.js';
import { ProgressPrinter, progressMode } from './progress.js';
import type { RunFlags } from './env.js';

export interface SessionFlags extends RunFlags {
  dryRun?: boolean;
  only?: string;
  until?: string;
  output?: string;
}

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

/** The flags shutdown, restart and rehearse share. */
export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--power <file>', 'power inventory YAML (SSH / IPMI / Redfish per node); without it every node is powered by hand')
    .option('-y, --yes', 'answer yes to every confirmation (unattended)')
    .option('--dry-run', 'print every act without doing it')
    .option('--only <steps>', 'run only these step ids (comma-separated; see `fallow explain`)')
    .option('--until <step>', 'stop (resumably) after this step id')
    .option('--force-off', 'hard power-off guests that ignore ACPI and nodes that stay on')
    .option('--force-delete-stuck-pods', 'force-delete rancher pods stuck Terminating (seed 3.2)')
    .option('--accept-new-host-keys', 'trust SSH host keys not yet in known_hosts (a changed key is never accepted)')
    .option('--skip-bundles', 'do not generate the support bundles (seed 1.1, 5.6)')
    .option('--rancher-url <url>', 'Rancher Manager that manages this Harvester (downstream snapshots and checks)')
    .option('--rancher-token-file <file>', 'file holding the Rancher API token (never give the token itself)')
    .option('--rancher-token-env <var>', 'environment variable holding the Rancher API token (default FALLOW_RANCHER_TOKEN)')
    .option('--rancher-ca <file>', 'CA bundle of the Rancher Manager')
    .option('--rancher-insecure', 'do not verify the Rancher Manager TLS certificate')
    .option('--snapshot-downstream', 'take an etcd snapshot of every downstream cluster first (seed 2; needs --rancher-url)')
    .option('--skip-net-check', 'go on when a node network re-check fails after boot (seed 1.2)')
    .option('-o, --output <format>', 'progress format: text (default) or jsonl');
}

// Entry points: runRunbook starts a run (or a dry run), resumeRun continues one from its
// journal. Refusals that come before the run exists (bad --only, lock held, another
// cluster, damaged journal) are thrown; once the run exists, how it ended is returned as
// a RunResult and journaled as run-end.
import { dirname } from 'node:path';
import type { Clock } from '../common/clock.js';
import { ExitCode, formatError, UsageError } from '../common/errors.js';
import { clusterDirOf, resolveStateRoot } from '../journal/paths.js';
import type { ClusterIdentity, JournalRecord } from '../journal/records.js';
import { createRun, openRun, type OpenRun } from '../journal/run.js';
import type { SecretRegistry } from '../journal/secrets.js';
import { capList } from '../common/list.js';
import { dryRunRunbook } from './dry-run.js';
import { plannedSteps } from './planned.js';
export { plannedSteps } from './planned.js';
import { emitterFor, type EventSink } from './events.js';
import { parentFacts } from './facts.js';
import type { EngineOptions, RunResult } from './options.js';
import { Session } from './session.js';
import { runStep } from './step.js';
import { scrubError, toStop, type Stop } from './stop.js';
import type { Json, Runbook, Step } from './types.js';

export interface RunInfo {
  runId: string;
  runDir: string;
}

interface Common<Env> {
  runbook: Runbook<Env>;
  /** The env, or a function that builds it once the run directory exists. */
  env?: Env;
  makeEnv?: (run: RunInfo) => Env | Promise<Env>;
  clock: Clock;
  identity: ClusterIdentity;
  options?: EngineOptions;
  onEvent?: EventSink;
  breakLock?: boolean;
  secrets?: SecretRegistry;
  /** Test hook: called after every durable journal record. */
  onAppend?: (record: JournalRecord) => void;
}

export interface RunRunbookOptions<Env> extends Common<Env> {
  stateDir?: string;
  /** Flags to store with the run so `resume` rebuilds it (never secrets). */
  runOptions?: Json;
  /** The run this one continues (a restart: its shutdown); its facts are visible. */
  parentRunId?: string;
}

export interface ResumeRunOptions<Env> extends Common<Env> {
  runDir: string;
  allowServerChange?: boolean;
  /** Flags of this resume, journaled with the resume record. */
  resumeOptions?: Json;
}

export async function runRunbook<Env>(o: RunRunbookOptions<Env>): Promise<RunResult> {
  const options = o.options ?? {};
  validateSelection(o.runbook, options);
  const root = resolveStateRoot(o.stateDir);
  const inherited = o.parentRunId ? parentFacts(clusterDirOf(root, o.identity.uid), o.parentRunId, o.identity.uid) : undefined;
  if (options.dryRun) {
    const env = await buildEnv(o, { runId: 'dry-run', runDir: '' });
    return dryRunRunbook({ runbook: o.runbook, env, clock: o.clock, options, ...pick(o), ...(inherited ? { parentFacts: inherited } : {}) });
  }
  const run = createRun({
    stateDir: root,
    identity: o.identity,
    clock: o.clock,
    runbook: o.runbook.name,
    steps: plannedSteps(o.runbook),
    options: o.runOptions ?? null,
    ...(o.parentRunId ? { parentRunId: o.parentRunId } : {}),
    ...(o.breakLock ? { breakLock: true } : {}),
    ...(o.secrets ? { secrets: o.secrets } : {}),
    ...(o.onAppend ? { onAppend: o.onAppend } : {}),
  });
  return execute(o, run, options, inherited);
}

export async function resumeRun<Env>(o: ResumeRunOptions<Env>): Promise<RunResult> {
  const options = o.options ?? {};
  if (options.dryRun) throw new UsageError('--dry-run does not apply to resume', 'Use `fallow status` to see where the run stands');
  validateSelection(o.runbook, options);
  const run = openRun({
    runDir: o.runDir,
    identity: o.identity,
    clock: o.clock,
    options: o.resumeOptions ?? null,
    ...(o.allowServerChange ? { allowServerChange: true } : {}),
    ...(o.breakLock ? { breakLock: true } : {}),
    ...(o.secrets ? { secrets: o.secrets } : {}),
    ...(o.onAppend ? { onAppend: o.onAppend } : {}),
  });
  try {
    assertSameRunbook(run, o.runbook);
    const parent = run.state.start.parentRunId;
    const inherited = parent ? parentFacts(dirname(o.runDir), parent, o.identity.uid) : undefined;
    return await execute(o, run, options, inherited);
  } catch (err) {
    run.close(); // refused before the session started (execute closes it otherwise)
    throw err;
  }
}

async function execute<Env>(o: Common<Env>, run: OpenRun, options: EngineOptions, inherited?: ReadonlyMap<string, Json>): Promise<RunResult> {
  const emit = emitterFor(o.onEvent, o.clock, run.runId);
  const finished: string[] = [];
  let current: Step<Env> | undefined;
  let stop: Stop | undefined;
  emit({ type: 'run-start', runbook: o.runbook.name, runDir: run.runDir, resumed: !run.fresh, dryRun: false, steps: plannedSteps(o.runbook) });
  const sinceOpen = run.state.resumes.at(-1)?.t ?? run.state.start.t;
  for (const w of run.state.warnings.filter((w) => w.t >= sinceOpen)) emit({ type: 'warning', message: w.message });
  try {
    const env = await buildEnv(o, { runId: run.runId, runDir: run.runDir });
    const session = new Session({ runbook: o.runbook, env, clock: o.clock, runId: run.runId, journal: run.journal, state: run.state, options, ...pick(o), ...(inherited ? { parentFacts: inherited } : {}) });
    const only = options.only ? new Set(options.only) : undefined;
    for (const [i, step] of o.runbook.steps.entries()) {
      current = undefined;
      session.signal.throwIfAborted();
      if (only && !only.has(step.id)) {
        if (session.stepState(step.id).status === 'pending') emit({ type: 'step-skip', step: step.id, title: step.title, reason: 'not selected (--only)' });
        continue;
      }
      current = step;
      await runStep(session, step, i);
      finished.push(step.id);
      if (options.until === step.id) break;
    }
    current = undefined;
  } catch (err) {
    stop = toStop(err, options.signal?.aborted === true, current);
    stop.error = scrubError(stop.error, (t) => run.journal.scrub(t));
  }
  try {
    const result = finish(run, o.runbook.steps, finished, stop, current?.id, options);
    if (stop && current) emit({ type: 'step-failed', step: current.id, error: result.message ?? '', kind: stop.error.name, exitCode: stop.exitCode });
    emit({ type: 'run-end', state: result.state, exitCode: result.exitCode, ...(result.reason ? { reason: result.reason } : {}), ...(result.message ? { message: result.message } : {}) });
    return result;
  } finally {
    run.close();
  }
}

/** Journals the run-end and builds the result. */
function finish<Env>(run: OpenRun, steps: Step<Env>[], finished: string[], stop: Stop | undefined, stepId: string | undefined, options: EngineOptions): RunResult {
  const base = { runId: run.runId, runDir: run.runDir, finished };
  if (stop) {
    const message = run.journal.scrub(formatError(stop.error));
    run.journal.append({ type: 'run-end', state: 'stopped', reason: stop.reason, message, exitCode: stop.exitCode, ...(stepId ? { step: stepId } : {}) });
    return { ...base, state: 'stopped', reason: stop.reason, exitCode: stop.exitCode, message, error: stop.error };
  }
  const remaining = steps.map((st) => st.id).filter((id) => !['done', 'skipped'].includes(run.state.steps.get(id)?.status ?? 'pending'));
  if (remaining.length === 0) {
    run.journal.append({ type: 'run-end', state: 'completed', exitCode: ExitCode.ok });
    return { ...base, state: 'completed', exitCode: ExitCode.ok };
  }
  const why = options.until ? `Stopped after step ${options.until} (--until)` : 'Ran the selected steps (--only)';
  const message = `${why}; ${remaining.length} step(s) remain: ${capList(remaining)}. Run \`fallow resume\` to go on`;
  run.journal.append({ type: 'run-end', state: 'stopped', reason: 'partial', message, exitCode: ExitCode.ok });
  return { ...base, state: 'stopped', reason: 'partial', exitCode: ExitCode.ok, message };
}

function validateSelection<Env>(runbook: Runbook<Env>, o: EngineOptions): void {
  const ids = new Set(runbook.steps.map((s) => s.id));
  const unknown = [...(o.only ?? []), ...(o.until ? [o.until] : [])].filter((id) => !ids.has(id));
  if (unknown.length) {
    throw new UsageError(`Unknown step id(s) in the ${runbook.name} runbook: ${unknown.join(', ')}`, `Valid ids: ${capList([...ids], 8)} (see \`fallow plan\`)`);
  }
}

function assertSameRunbook<Env>(run: OpenRun, runbook: Runbook<Env>): void {
  const start = run.state.start;
  const journaled = start.steps.map((s) => s.id).join('\n');
  if (start.runbook !== runbook.name || journaled !== runbook.steps.map((s) => s.id).join('\n')) {
    throw new UsageError(
      `Run ${start.runId} was written by the ${start.runbook} runbook of fallow ${start.version}, whose steps differ from this fallow's ${runbook.name} runbook; nothing was changed`,
      `Resume it with fallow ${start.version}`,
    );
  }
}

async function buildEnv<Env>(o: Common<Env>, run: RunInfo): Promise<Env> {
  if (o.makeEnv) return o.makeEnv(run);
  if (o.env === undefined) throw new UsageError('runRunbook needs env or makeEnv');
  return o.env;
}

function pick<Env>(o: Common<Env>) {
  return { ...(o.onEvent ? { onEvent: o.onEvent } : {}), ...(o.secrets ? { secrets: o.secrets } : {}) };
}

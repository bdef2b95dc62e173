// --dry-run: no journal, no lock, no act, no record. Each selected step is checked (reads
// only) and says what it would do through describe(); steps already done say so.
import type { Clock } from '../common/clock.js';
import { ExitCode } from '../common/errors.js';
import type { SecretRegistry } from '../journal/secrets.js';
import { contextFor } from './context.js';
import type { EventSink } from './events.js';
import type { EngineOptions, RunResult } from './options.js';
import { plannedSteps } from './planned.js';
import { Session } from './session.js';
import { scrubError, toStop } from './stop.js';
import type { Json, Runbook, Step } from './types.js';

export interface DryRunOptions<Env> {
  runbook: Runbook<Env>;
  env: Env;
  clock: Clock;
  options: EngineOptions;
  onEvent?: EventSink;
  secrets?: SecretRegistry;
  parentFacts?: ReadonlyMap<string, Json>;
}

export async function dryRunRunbook<Env>(o: DryRunOptions<Env>): Promise<RunResult> {
  const s = new Session({ ...o, runId: 'dry-run' });
  const only = o.options.only ? new Set(o.options.only) : undefined;
  s.emit({ type: 'run-start', runbook: o.runbook.name, resumed: false, dryRun: true, steps: plannedSteps(o.runbook) });
  const finished: string[] = [];
  let current: Step<Env> | undefined;
  try {
    for (const step of o.runbook.steps) {
      if (only && !only.has(step.id)) continue;
      current = step;
      await planStep(s, step);
      finished.push(step.id);
      if (o.options.until === step.id) break;
    }
  } catch (err) {
    const stop = toStop(err, o.options.signal?.aborted === true, current);
    stop.error = scrubError(stop.error, (t) => s.scrub(t));
    const message = s.scrub(stop.error.message);
    s.emit({ type: 'run-end', state: 'dry-run', reason: stop.reason, message, exitCode: stop.exitCode });
    return { runId: 'dry-run', state: 'dry-run', reason: stop.reason, exitCode: stop.exitCode, message, error: stop.error, finished };
  }
  s.emit({ type: 'run-end', state: 'dry-run', exitCode: ExitCode.ok });
  return { runId: 'dry-run', state: 'dry-run', exitCode: ExitCode.ok, finished };
}

async function planStep<Env>(s: Session<Env>, step: Step<Env>): Promise<void> {
  const ctx = contextFor(s, step, false);
  const skip = step.enabled && !step.enabled(ctx) ? 'not enabled for this run' : step.skip ? await s.retrying(step, 'skip', () => step.skip!(ctx)) : undefined;
  if (skip !== undefined) {
    s.emit({ type: 'step-skip', step: step.id, title: step.title, reason: skip });
    return;
  }
  const check = await s.retrying(step, 'check', () => step.check(ctx));
  const base = { type: 'plan' as const, step: step.id, title: step.title, destructive: step.destructive };
  if (check.done) {
    s.emit({ ...base, alreadyDone: true, lines: [check.detail ?? 'already done'] });
    return;
  }
  const lines = step.describe ? await s.retrying(step, 'describe', () => step.describe!(ctx)) : [step.title];
  s.emit({ ...base, lines: lines.map((l) => s.scrub(l)) });
}

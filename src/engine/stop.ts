// Turning whatever stopped a run into its run-end: reason, exit code and one message that
// says what happened and what to do next.
import { ExitCode, exitCodeOf, FallowError, FatalError, formatError, NeedsOperatorError, TransientError } from '../common/errors.js';
import type { StopReason } from '../journal/records.js';
import { RetriesExhausted } from './backoff.js';

/** The run was asked to stop (Ctrl-C) and did, cleanly. */
export class InterruptedError extends FallowError {
  readonly exitCode = ExitCode.interrupted;
}

export interface Stop {
  reason: StopReason;
  error: FallowError;
  exitCode: ExitCode;
}

export function toStop(err: unknown, stopRequested: boolean, step: { id: string; title: string } | undefined): Stop {
  const where = step ? ` in step ${step.id} (${step.title})` : '';
  if (stopRequested) {
    const e = new InterruptedError(`Stopped on request${where}`, 'Run `fallow resume` to go on');
    return { reason: 'interrupted', error: e, exitCode: e.exitCode };
  }
  let e: FallowError;
  if (err instanceof RetriesExhausted) {
    e = new TransientError(
      `Still failing after ${err.attempts} attempts${where}: ${formatError(err.last)}`,
      'Check that the cluster (or BMC) is reachable and healthy, then run `fallow resume`',
      { cause: err.last },
    );
  } else if (err instanceof FallowError) {
    e = err;
  } else {
    e = new FatalError(`Failed${where}: ${formatError(err)}`, 'Fix the cause, then run `fallow resume`', { cause: err });
  }
  return { reason: e instanceof NeedsOperatorError ? 'needs-operator' : 'failed', error: e, exitCode: exitCodeOf(e) };
}

/** Removes known secrets from an error the caller will print; drops a cause that held one. */
export function scrubError(err: FallowError, scrub: (text: string) => string): FallowError {
  const message = scrub(err.message);
  const hint = err.hint === undefined ? undefined : scrub(err.hint);
  if (message === err.message && hint === err.hint) return err;
  err.message = message;
  Object.defineProperty(err, 'hint', { value: hint });
  Object.defineProperty(err, 'cause', { value: undefined });
  return err;
}


// The few error kinds that decide the flow, and the exit codes they map to.
//
// Fatal stops the run; NeedsOperator stops it with a next action the operator can take
// (confirm, add a flag, fix and resume); Transient is retried by the engine with backoff;
// Usage is bad input caught before anything changed. Every message names the object and
// the next action: "<what is wrong>: <object>. <what to do>".

export const ExitCode = {
  ok: 0,
  failed: 1, // a run stopped (fatal) or a verification found differences
  usage: 2, // bad flags, bad files, bad kubeconfig: nothing changed
  preflight: 3, // plan's preflight found the cluster not safe to act on
  unreachable: 4, // the cluster (or a BMC/UPS) could not be reached
  needsOperator: 5, // stopped at a gate that needs a decision; `fallow resume` goes on
  interrupted: 130, // Ctrl-C: stopped cleanly after the current act
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class FallowError extends Error {
  abstract readonly exitCode: ExitCode;
  /** What the operator should do next, printed after the message. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

export class FatalError extends FallowError {
  readonly exitCode = ExitCode.failed;
}
export class NeedsOperatorError extends FallowError {
  readonly exitCode = ExitCode.needsOperator;
}
export class TransientError extends FallowError {
  readonly exitCode = ExitCode.unreachable;
}
export class UsageError extends FallowError {
  readonly exitCode = ExitCode.usage;
}
export class UnreachableError extends FallowError {
  readonly exitCode = ExitCode.unreachable;
}
export class PreflightError extends FallowError {
  readonly exitCode = ExitCode.preflight;
}

/** One line for the terminal: message, then the hint. Never includes a stack. */
export function formatError(err: unknown): string {
  if (err instanceof FallowError) return err.hint ? `${err.message}. ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof FallowError ? err.exitCode : ExitCode.failed;
}

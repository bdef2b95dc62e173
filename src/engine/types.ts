// The contract between the engine and a runbook. The engine runs steps in order, journals
// intent and outcome, resumes, retries, times out, confirms and reports progress; a step
// says what it does through these functions. Nothing here knows Harvester.
import type { Clock } from '../common/clock.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One RBAC rule a step needs (drives `fallow rbac` and the preflight access review). */
export interface RbacRule {
  group: string; // "" for core
  resource: string; // plural, "pods/exec" for subresources
  verbs: string[];
  namespace?: string; // omitted: cluster-wide or any namespace
}

export type CheckResult = { done: true; detail?: string } | { done: false; detail?: string };

export type WaitResult =
  | { state: 'done'; detail?: string }
  | { state: 'waiting'; detail: string } // names what is pending, capped list
  | { state: 'failed'; reason: string; hint?: string };

/**
 * A named condition to wait for. `evaluate` reads (ideally from an informer cache) and
 * must be cheap; `subscribe` wakes the engine when something it watches changes, so
 * waits are watch-driven; `pollMs` bounds the time between evaluations without events.
 */
export interface WaitSpec<Env> {
  /** Unique within its step: the journal keys the stored start (and deadline) by it. */
  name: string; // "VMIs gone", "etcd quorum"
  timeoutMs: number; // modelled ms; the deadline is stored in the journal
  pollMs?: number;
  evaluate(ctx: StepContext<Env>): Promise<WaitResult>;
  subscribe?(ctx: StepContext<Env>, wake: () => void): Promise<() => void>;
}

export interface ConfirmRequest {
  /** "Power off harv41, harv42, harv43 (etcd leader last)?" */
  question: string;
  /** The exact objects affected, shown before the question. */
  details?: string[];
}

export interface ProgressSink {
  (detail: string): void;
}

export interface StepContext<Env> {
  env: Env;
  clock: Clock;
  /**
   * Aborted when the run is asked to stop. In `act` it is aborted only by a hard stop
   * (second Ctrl-C): a first Ctrl-C lets the current act finish.
   */
  signal: AbortSignal;
  dryRun: boolean;
  /** Facts recorded so far in this run, and (for a restart) in the run it restores. */
  facts: ReadonlyMap<string, Json>;
  /** Durably journal a fact before going on (fsynced when this resolves). */
  record(key: string, value: Json): Promise<void>;
  progress: ProgressSink;
  warn(message: string): Promise<void>;
  /** Asks the operator; true with --yes; false (or a NeedsOperator stop) when not interactive. */
  confirm(req: ConfirmRequest): Promise<boolean>;
  /** Runs a wait with the engine's deadline handling (for multi-stage acts). */
  waitFor(spec: WaitSpec<Env>): Promise<void>;
}

export interface Step<Env> {
  /** Stable id, used by --only/--until and in the journal: "shutdown.stop-traditional-vms". */
  id: string;
  /** Named after the act in the seed article: "Stop traditional VMs". */
  title: string;
  /** Seed section it implements: "3.1". */
  seed: string;
  phase: string;
  /** Destructive acts ask for confirmation unless --yes. */
  destructive: boolean;
  /** For `explain` and docs/runbook.md. */
  records?: string[];
  waitsFor?: string;
  risks?: string[];
  rbac?: RbacRule[];
  /** Optional steps run only when the runbook's options enable them. */
  enabled?(ctx: StepContext<Env>): boolean;
  /**
   * A reason not to run at all (nothing to do here: "cluster not imported into Rancher").
   * Not asked again once an act of this step has been attempted (the act may have caused it).
   */
  skip?(ctx: StepContext<Env>): Promise<string | undefined>;
  /**
   * Observe and journal what the act will destroy. Runs before check; must be idempotent.
   * Not run again once an act of this step has been attempted, so a resume never replaces
   * the observed value with what the act left behind.
   */
  record?(ctx: StepContext<Env>): Promise<void>;
  /**
   * Is the act's effect already there? Runs before every act attempt (first run, retry
   * after a transient error, resume after a crash). `done: true` means the act is not run;
   * the step then goes on to its wait, which verifies the effect.
   */
  check(ctx: StepContext<Env>): Promise<CheckResult>;
  /** What the act will do, for confirmation and --dry-run. */
  describe?(ctx: StepContext<Env>): Promise<string[]>;
  /**
   * Makes the change. Contract: **safe to repeat after `check` said not done.** The process
   * may die at any instant inside an act; on resume the engine runs `check` again and, if
   * the effect is not there, runs the act again. So an act must not do anything that a
   * second run would double (append, increment, send twice) unless `check` can see that it
   * happened; an act with several changes must make each one skip itself when present.
   * Transient errors thrown from it are retried the same way: check, then act.
   */
  act(ctx: StepContext<Env>): Promise<void>;
  /**
   * The act takes down the API (or the node fallow talks through): connection errors are
   * then expected, not retried as transient.
   */
  apiMayVanish?: boolean;
  /**
   * After the act (or when check said done): until the effect is verified. Its deadline
   * counts from the stored wait start, so a resume does not reset it.
   */
  wait?(ctx: StepContext<Env>): WaitSpec<Env>;
}

export interface Runbook<Env> {
  /** "shutdown" | "restart" | test runbooks. */
  name: string;
  steps: Step<Env>[];
}

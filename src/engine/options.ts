// What a caller (the CLI) passes to the engine and gets back.
import type { ExitCode } from '../common/errors.js';
import type { ConfirmRequest } from './types.js';
import type { RetryPolicy } from './backoff.js';
import type { StopReason } from '../journal/records.js';
import type { RunEndState } from './events.js';

export interface PromptRequest extends ConfirmRequest {
  step: string;
}

export interface EngineOptions {
  /** Act on nothing, journal nothing: print what each step would do. */
  dryRun?: boolean;
  /** Run only these step ids (in runbook order). */
  only?: string[];
  /** Stop (resumably) after this step id. */
  until?: string;
  /** Answer yes to every confirmation (--yes). */
  yes?: boolean;
  /** A human can answer prompts. Without it (and without --yes) a destructive step stops the run. */
  interactive?: boolean;
  prompt?: (req: PromptRequest) => Promise<boolean>;
  /**
   * Stop request (first Ctrl-C): the current act finishes, waits and backoffs stop at
   * once, the run ends "stopped" and `fallow resume` goes on. Acts never see this signal.
   */
  signal?: AbortSignal;
  /** Aborts acts too (a second Ctrl-C); an act must survive it like a crash. */
  hardSignal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** Jitter source (tests make it deterministic). */
  random?: () => number;
  /** Default poll interval of waits that do not set pollMs (modelled ms). */
  defaultPollMs?: number;
}

export interface RunResult {
  runId: string;
  /** Absent for a dry run (nothing is written). */
  runDir?: string;
  state: RunEndState;
  reason?: StopReason;
  exitCode: ExitCode;
  /** One line for the terminal (already scrubbed of secrets). */
  message?: string;
  /** The error that stopped the run, for the CLI's error rendering. */
  error?: unknown;
  /** Steps that reached step-done or step-skipped in this session. */
  finished: string[];
}

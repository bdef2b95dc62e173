// One engine session over one run: the journal (absent in a dry run), the replayed state it
// keeps current, the merged facts, the event sink and the retry policy. Steps reach it only
// through the StepContext built in ./context.ts.
import type { Clock } from '../common/clock.js';
import { formatError } from '../common/errors.js';
import type { Journal } from '../journal/journal.js';
import type { JournalRecord, RecordBody } from '../journal/records.js';
import { apply, emptyStepState, type RunState, type StepState } from '../journal/replay.js';
import { secrets as defaultSecrets, type SecretRegistry } from '../journal/secrets.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './backoff.js';
import { emitterFor, type EngineEventBody, type EventSink } from './events.js';
import type { EngineOptions } from './options.js';
import type { Json, Runbook, Step } from './types.js';

export interface SessionInit<Env> {
  runbook: Runbook<Env>;
  env: Env;
  clock: Clock;
  runId: string;
  journal?: Journal;
  state?: RunState;
  parentFacts?: ReadonlyMap<string, Json>;
  options: EngineOptions;
  onEvent?: EventSink;
  secrets?: SecretRegistry;
}

const never = new AbortController().signal;

export class Session<Env> {
  readonly runbook: Runbook<Env>;
  readonly env: Env;
  readonly clock: Clock;
  readonly runId: string;
  readonly journal: Journal | undefined;
  readonly options: EngineOptions;
  readonly policy: RetryPolicy;
  /** Stop request: waits, backoffs and the gaps between phases honour it. */
  readonly signal: AbortSignal;
  /** What acts see: only a hard stop. */
  readonly actSignal: AbortSignal;
  readonly facts: Map<string, Json>;
  private readonly state: RunState | undefined;
  private readonly scratch = new Map<string, StepState>();
  private readonly secrets: SecretRegistry;
  private readonly emitter: (body: EngineEventBody) => void;

  constructor(init: SessionInit<Env>) {
    this.runbook = init.runbook;
    this.env = init.env;
    this.clock = init.clock;
    this.runId = init.runId;
    this.journal = init.journal;
    this.state = init.state;
    this.options = init.options;
    this.policy = { ...defaultRetryPolicy, ...init.options.retry };
    this.signal = init.options.signal ?? never;
    this.actSignal = init.options.hardSignal ?? never;
    this.facts = new Map([...(init.parentFacts ?? []), ...(init.state?.facts ?? [])]);
    this.secrets = init.secrets ?? defaultSecrets;
    this.emitter = emitterFor(init.onEvent, init.clock, init.runId);
  }

  get dryRun(): boolean {
    return this.journal === undefined;
  }

  /** The step's journaled state (a private scratch one in a dry run). */
  stepState(id: string): StepState {
    const known = this.state?.steps.get(id) ?? this.scratch.get(id);
    if (known) return known;
    const fresh = emptyStepState(id);
    this.scratch.set(id, fresh);
    return fresh;
  }

  get runState(): RunState | undefined {
    return this.state;
  }

  /** Journals durably and folds the record into the live state; a no-op in a dry run. */
  append(body: RecordBody): JournalRecord | undefined {
    if (!this.journal) return undefined;
    const record = this.journal.append(body);
    if (this.state) apply(this.state, record);
    return record;
  }

  recordFact(step: string, key: string, value: Json): void {
    // The same observation again (a resume re-running record): already durable.
    const same = this.state?.facts.has(key) && JSON.stringify(this.state.facts.get(key)) === JSON.stringify(value);
    if (!same) this.append({ type: 'fact', key, value, step });
    this.facts.set(key, value);
    this.emit({ type: 'fact', step, key });
  }

  warn(message: string, step?: string): void {
    const text = this.scrub(message);
    this.append({ type: 'warning', message: text, ...(step ? { step } : {}) });
    this.emit({ type: 'warning', message: text, ...(step ? { step } : {}) });
  }

  emit(body: EngineEventBody): void {
    this.emitter(body);
  }

  scrub(text: string): string {
    return this.secrets.scrub(text);
  }

  /** Runs a read-only phase (skip, record, check, describe), retrying transient errors. */
  retrying<T>(step: Step<Env>, phase: string, fn: () => Promise<T>): Promise<T> {
    return withRetries(() => fn(), {
      clock: this.clock,
      signal: this.signal,
      policy: this.policy,
      classify: { apiMayVanish: step.apiMayVanish === true },
      ...(this.options.random ? { random: this.options.random } : {}),
      onRetry: ({ attempt, delayMs, error }) =>
        this.emit({ type: 'retry', step: step.id, phase, attempt, delayMs, error: this.scrub(formatError(error)) }),
    });
  }
}

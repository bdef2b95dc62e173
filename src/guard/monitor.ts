// The UPS monitor: polls a UpsSource at a fixed interval, turns each answer into an
// observation for the policy, and reports transitions (online → on-battery → low-battery →
// online, comm-lost / comm-restored) with timestamps, logging every one. A failed poll is
// never an action: it becomes a comm-lost observation and the policy decides.
import type { Clock } from '../common/clock.js';
import { formatError } from '../common/errors.js';
import { describeSample, sampleFromVars, type PowerState, type UpsObservation, type UpsSample } from './ups-state.js';

/** Where UPS variables come from: NutClient for a real upsd; a twin UPS can plug in here. */
export interface UpsSource {
  /** "ups1@127.0.0.1:3493", for messages. */
  readonly label: string;
  /** Connects and authenticates; throws (usage / unreachable) when that cannot work. */
  open(signal?: AbortSignal): Promise<void>;
  listVars(signal?: AbortSignal): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** The subset of pino's Logger the guard uses. */
export interface GuardLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type MonitorEvent =
  | { type: 'transition'; at: number; from: PowerState | null; to: PowerState; sample: UpsSample }
  | { type: 'comm-lost'; at: number; reason: string; last?: UpsSample }
  | { type: 'comm-restored'; at: number; lostForMs: number; sample: UpsSample };

export interface PollResult {
  observation: UpsObservation;
  events: MonitorEvent[];
}

export interface MonitorOptions {
  source: UpsSource;
  clock: Clock;
  /** Modelled ms between polls. */
  intervalMs: number;
  logger?: GuardLogger;
}

export class UpsMonitor {
  #power: PowerState | null = null;
  #last: UpsSample | undefined;
  #lostSince: number | undefined;
  #lostReason = '';

  constructor(private readonly opts: MonitorOptions) {
    if (!(opts.intervalMs > 0)) throw new Error(`monitor interval must be > 0 ms, got ${opts.intervalMs}`);
  }

  /** The last good sample, if any. */
  get last(): UpsSample | undefined {
    return this.#last;
  }

  /** Polls once. Never throws for a UPS problem (only when `signal` aborts). */
  async poll(signal?: AbortSignal): Promise<PollResult> {
    const { source, clock } = this.opts;
    let sample: UpsSample;
    try {
      const vars = await source.listVars(signal);
      sample = sampleFromVars(vars, clock.now(), source.label);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      return this.#lost(clock.now(), formatError(err));
    }
    const events: MonitorEvent[] = [];
    if (this.#lostSince !== undefined) {
      events.push({ type: 'comm-restored', at: sample.at, lostForMs: sample.at - this.#lostSince, sample });
      this.#lostSince = undefined;
    }
    if (sample.power !== this.#power) {
      events.push({ type: 'transition', at: sample.at, from: this.#power, to: sample.power, sample });
      this.#power = sample.power;
    }
    this.#last = sample;
    this.#log(events);
    return { observation: { at: sample.at, comm: 'ok', sample }, events };
  }

  /** Polls every intervalMs until `signal` aborts, handing each result to `onPoll`. */
  async run(signal: AbortSignal, onPoll: (r: PollResult) => void | Promise<void>): Promise<void> {
    const { clock, intervalMs } = this.opts;
    while (!signal.aborted) {
      const started = clock.now();
      let result: PollResult;
      try {
        result = await this.poll(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      await onPoll(result);
      try {
        await clock.sleep(Math.max(0, started + intervalMs - clock.now()), signal);
      } catch {
        return; // aborted
      }
    }
  }

  #lost(at: number, reason: string): PollResult {
    const events: MonitorEvent[] = [];
    if (this.#lostSince === undefined) {
      this.#lostSince = at;
      this.#lostReason = reason;
      const ev: MonitorEvent = { type: 'comm-lost', at, reason };
      if (this.#last) ev.last = this.#last;
      events.push(ev);
      this.#log(events);
    }
    const observation: UpsObservation = { at, comm: 'lost', since: this.#lostSince, reason: this.#lostReason };
    if (this.#last) observation.last = this.#last;
    return { observation, events };
  }

  #log(events: MonitorEvent[]): void {
    const log = this.opts.logger;
    if (!log) return;
    const ups = this.opts.source.label;
    for (const e of events) {
      if (e.type === 'transition') {
        log.info({ ups, at: e.at, from: e.from, to: e.to }, `UPS ${ups}: ${e.from ?? 'start'} → ${e.to} (${describeSample(e.sample)})`);
      } else if (e.type === 'comm-lost') {
        log.warn({ ups, at: e.at }, `UPS ${ups}: communication lost: ${e.reason}`);
      } else {
        log.info({ ups, at: e.at, lostForMs: e.lostForMs }, `UPS ${ups}: communication restored after ${Math.round(e.lostForMs / 1000)} s`);
      }
    }
  }
}

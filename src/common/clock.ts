// Clock: the one source of "now" and of waiting, for the tool and for the twin.
//
// The twin models a 40-minute shutdown in seconds by running on a ScaledClock: modelled
// time advances `scale` times faster than wall time. The tool uses the same clock for its
// deadlines, so a 180 s guest grace period is 180 modelled seconds on the twin and real
// seconds on a real cluster. A child process (crash tests, `fallow resume`) reconstructs
// the twin's clock from FALLOW_CLOCK, so all processes of a rehearsal agree on time.

export interface Clock {
  /** Modelled time in epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` modelled milliseconds (or rejects with the signal's reason). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Modelled ms → wall ms (1 on a real clock). */
  readonly scale: number;
}

export class RealClock implements Clock {
  readonly scale = 1;
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return wallSleep(ms, signal);
  }
}

/** Modelled time = modelEpoch + (wall - wallEpoch) * scale. */
export class ScaledClock implements Clock {
  constructor(
    readonly scale: number,
    readonly wallEpoch: number = Date.now(),
    readonly modelEpoch: number = Date.now(),
  ) {
    if (!(scale > 0)) throw new Error(`clock scale must be > 0, got ${scale}`);
  }
  now(): number {
    return this.modelEpoch + (Date.now() - this.wallEpoch) * this.scale;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return wallSleep(Math.max(0, ms) / this.scale, signal);
  }
  /** The FALLOW_CLOCK value that recreates this clock in another process. */
  toEnv(): string {
    return `scaled:${this.scale}:${this.wallEpoch}:${this.modelEpoch}`;
  }
}

/** Reads FALLOW_CLOCK ("scaled:<scale>:<wallEpoch>:<modelEpoch>"); real time otherwise. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const spec = env.FALLOW_CLOCK;
  if (!spec) return new RealClock();
  const [kind, scale, wall, model] = spec.split(':');
  if (kind !== 'scaled' || !scale || !wall || !model) {
    throw new Error(`FALLOW_CLOCK must look like scaled:<scale>:<wallEpochMs>:<modelEpochMs>, got "${spec}"`);
  }
  return new ScaledClock(Number(scale), Number(wall), Number(model));
}

export function wallSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

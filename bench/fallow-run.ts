// One measured fallow cycle: a fresh twin of the scenario on virtual time, fallow's
// shutdown then restart through the runbook test bed (real cluster layer over HTTPS, the
// engine, the journal), and everything the figures need afterwards: the twin's truth,
// fallow's engine events, the API server's request log placed on modelled time, the
// windows of both runs and the journals' sizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRunOptions, type RunOptions } from '../src/runbook/index.js';
import { defaultWaveSize } from '../src/runbook/lib/vms.js';
import type { EngineEvent } from '../src/engine/events.js';
import type { Twin } from '../src/twin/runtime.js';
import type { Scenario, ScenarioInput } from '../src/twin/scenario/schema.js';
import { startBed } from '../test/runbook/bed.js';
import type { Realized } from './bound.js';
import { realize, type Windows } from './realized.js';
import { TwinTruth } from './truth.js';
import { VirtualClock, type VirtualClockOptions } from '../test/helpers/virtual-clock.js';
import { coalesceWakes } from './coalesce.js';

export interface TimedRequest {
  t: number;
  verb: string;
  resource: string;
  status: number;
}

export interface CycleResult {
  scenario: Scenario;
  ok: boolean;
  message: string;
  windows: Windows;
  events: EngineEvent[];
  requests: TimedRequest[];
  realized: Realized;
  truth: TwinTruth;
  limits: Realized['limits'];
  journals: { bytes: number; records: number }[];
  wallMs: number;
}

export interface CycleInput {
  scenario?: Scenario | ScenarioInput;
  scenarioPath?: string;
  options?: Partial<RunOptions>;
  /** Runs on the live twin before the shutdown starts (the scale figures measure `fallow plan` here). */
  before?: (twin: Twin) => Promise<void>;
  clock?: VirtualClockOptions;
  /** Told each step fallow starts (long runs show where they are). */
  progress?: (line: string) => void;
}

/** Runs shutdown + restart on a fresh twin; never throws for a run that stops (ok: false). */
export async function runFallowCycle(input: CycleInput): Promise<CycleResult> {
  const wall0 = Date.now();
  const clock = new VirtualClock(input.clock);
  clock.start();
  const bed = await startBed({ ...(input.scenario ? { scenario: input.scenario } : { scenarioPath: input.scenarioPath ?? 'default' }), clock } as Parameters<typeof startBed>[0]);
  coalesceWakes(bed.conn.cluster, clock);
  const truth = new TwinTruth(bed.twin);
  const scenario = bed.twin.scenario;
  const vmNodes = scenario.nodes.filter((n) => n.role !== 'witness').length;
  const options: Partial<RunOptions> = { ...input.options };
  const limits = {
    stopConcurrency: options.stopConcurrency ?? defaultRunOptions.stopConcurrency,
    waveSize: options.waveSize || defaultWaveSize(vmNodes),
  };
  let seen = 0;
  const ticker = setInterval(() => {
    for (; seen < bed.events.length; seen++) {
      const e = bed.events[seen]!;
      if (e.type === 'step-start') input.progress?.(`${e.step} (modelled +${Math.round(clock.elapsed() / 1000)} s)`);
    }
  }, 2000);
  try {
    if (input.before) await input.before(bed.twin);
    const s0 = clock.now();
    const down = await bed.shutdown({ options });
    const s1 = clock.now();
    let up = down;
    if (down.state === 'completed') up = await bed.restart(down.runId, { options });
    const r1 = clock.now();
    const windows: Windows = { shutdown: [s0, s1], restart: [s1, r1] };
    const ok = down.state === 'completed' && up.state === 'completed';
    const message = ok ? '' : `${down.state !== 'completed' ? 'shutdown' : 'restart'} stopped: ${(down.state !== 'completed' ? down : up).message ?? ''}`;
    const requests = (bed.twin.server?.requestLog ?? []).map((r) => ({ t: clock.atWall(r.t), verb: r.verb, resource: r.subresource ? `${r.resource ?? r.path}/${r.subresource}` : (r.resource ?? r.path), status: r.status }));
    const journals = [down, ...(up === down ? [] : [up])].map((r) => journalSize(r.runDir));
    return {
      scenario,
      ok,
      message,
      windows,
      events: [...bed.events],
      requests,
      realized: realize(truth, scenario, windows, limits),
      truth,
      limits,
      journals,
      wallMs: Date.now() - wall0,
    };
  } finally {
    clearInterval(ticker);
    truth.stop();
    await bed.close();
    clock.stop();
  }
}

function journalSize(runDir: string | undefined): { bytes: number; records: number } {
  if (!runDir) return { bytes: 0, records: 0 };
  try {
    const text = readFileSync(join(runDir, 'journal.jsonl'), 'utf8');
    return { bytes: Buffer.byteLength(text), records: text.split('\n').filter((l) => l.trim()).length };
  } catch {
    return { bytes: 0, records: 0 };
  }
}

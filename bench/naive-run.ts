// One measured naive cycle: a fresh twin of the same scenario on virtual time, the naive
// operator's shutdown and restart (naive.ts), and the twin's truth for its own bound.
import { startTwin } from '../src/twin/runtime.js';
import type { Scenario, ScenarioInput } from '../src/twin/scenario/schema.js';
import { runNaive, type NaiveResult } from './naive.js';
import { VirtualClock } from '../test/helpers/virtual-clock.js';

export interface NaiveCycle extends NaiveResult {
  requests: number;
  wallMs: number;
}

export async function runNaiveCycle(input: { scenario?: Scenario | ScenarioInput; scenarioPath?: string }): Promise<NaiveCycle> {
  const wall0 = Date.now();
  const clock = new VirtualClock();
  clock.start();
  const twin = await startTwin({ ...(input.scenario ? { scenario: input.scenario } : { scenarioPath: input.scenarioPath ?? 'default' }), clock });
  try {
    const r = await runNaive(twin, clock);
    return { ...r, requests: twin.server?.requestLog.length ?? 0, wallMs: Date.now() - wall0 };
  } finally {
    await twin.stop();
    clock.stop();
  }
}

// The bench's deterministic checks on the twin (issue 9): on virtual time the default
// scenario's cycle gives the same modelled figures on any machine, so its critical-path
// ratio, boot-storm peak and API request counts can be asserted — never its wall time.
import { beforeAll, describe, expect, it } from 'vitest';
import { runFallowCycle, type CycleResult } from '../../bench/fallow-run.js';
import { scenarioFigures, type ScenarioFigures } from '../../bench/figures.js';

describe('fallow on the default scenario, in virtual time', () => {
  let cycle: CycleResult;
  let f: ScenarioFigures;
  beforeAll(async () => {
    cycle = await runFallowCycle({ scenarioPath: 'default' });
    f = scenarioFigures(cycle);
  }, 600_000);

  it('completes the shutdown and the restart', () => {
    expect(cycle.message).toBe('');
    expect(cycle.ok).toBe(true);
  });

  it('stays within 5 % of the seed-order critical-path bound', () => {
    expect(f.boundS.seedOrder).toBeGreaterThan(0);
    expect(f.ratio).toBeGreaterThanOrEqual(1);
    expect(f.ratio).toBeLessThanOrEqual(1.05);
  });

  it('never boots more VMs at once than the wave size', () => {
    expect(f.storm.vmsStarted).toBeGreaterThan(0);
    expect(f.storm.peakTraditional).toBeLessThanOrEqual(f.storm.waveSize);
  });

  it('writes about twice per VM (a stop and a start) and stays under its QPS limit while the control plane restarts', () => {
    expect(f.load.writes).toBeLessThanOrEqual(4 * f.vms);
    expect(f.load.peakPerSecondControlPlane).toBeLessThanOrEqual(f.load.limit.qps);
  });
});

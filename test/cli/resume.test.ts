// `fallow resume` on the twin: a shutdown stopped after a step is picked up by `resume`
// with the flags it was started with (--power, --yes, --skip-bundles are not repeated),
// done steps are not redone, and `status` tells the story. shutdown and resume run as
// child processes, as a user runs them; status only reads the state dir, so it runs
// in this process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import type { DeploymentObject } from '../../src/common/harvester-types.js';
import type { StatusData } from '../../src/cli/actions/status.js';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { runCli } from '../helpers/cli.js';
import { runMain } from './run-main.js';

describe('fallow resume', () => {
  let twin: Twin;
  let fronts: PowerFronts;
  let env: Record<string, string>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fallow-resume-'));
    twin = await startTwin({ scenarioPath: 'default', scale: 400, stateDir: dir });
    fronts = await startPowerFronts(twin.power, twin.scenario.nodes.map((n) => ({ name: n.name })), { dir: join(dir, 'power') });
    await twin.settle();
    env = { KUBECONFIG: twin.kubeconfigPath, FALLOW_CLOCK: twin.clock.toEnv(), FALLOW_STATE_DIR: join(dir, 'state') };
  });
  afterAll(async () => {
    await fronts?.stop();
    await twin?.stop();
  });

  it('goes on with a stopped shutdown using its stored flags', async () => {
    const first = await runCli(['shutdown', '--power', fronts.inventoryPath, '--yes', '--skip-bundles', '--until', 'shutdown.stop-traditional-vms'], env, { timeoutMs: 300_000 });
    expect(first.code, first.stderr).toBe(ExitCode.ok);

    const before = JSON.parse((await runMain(['status', '-o', 'json'], env)).stdout) as StatusData;
    expect(before.run?.state).toBe('stopped');
    const doneBefore = before.run!.steps.filter((s) => s.status === 'done' || s.status === 'skipped').map((s) => s.id);
    expect(doneBefore).toContain('shutdown.stop-traditional-vms');
    expect(doneBefore).not.toContain('shutdown.rancher-scale-down');

    // No --yes, no --power: they come from the run. Without them a destructive step would stop (exit 5).
    const resumed = await runCli(['resume', '--until', 'shutdown.agent-scale-down'], env, { timeoutMs: 300_000 });
    expect(resumed.code, resumed.stderr).toBe(ExitCode.ok);

    const after = JSON.parse((await runMain(['status', '-o', 'json'], env)).stdout) as StatusData;
    expect(after.run?.runId).toBe(before.run?.runId);
    expect(after.run?.sessions).toBe(2);
    const status = Object.fromEntries(after.run!.steps.map((s) => [s.id, s.status]));
    expect(status['shutdown.rancher-scale-down']).toBe('done');
    expect(status['shutdown.agent-scale-down']).toBe('done');
    expect(status['shutdown.workers']).toBe('pending');
    // Steps done in the first session were not acted on again.
    for (const id of doneBefore) expect(['done', 'skipped']).toContain(status[id]);
    const rancher = twin.store.get(twin.store.typeOfKind('apps/v1', 'Deployment'), 'cattle-system', 'rancher') as DeploymentObject;
    expect(rancher.spec?.replicas).toBe(0);
    expect(rancher.metadata.annotations?.['management.cattle.io/scale-available']).toBe('');
  });
});

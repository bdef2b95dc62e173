// The restart after a shutdown that stopped part-way: on the twin, a shutdown stopped after
// the traditional VMs went down is undone by the partial restart runbook — the power-on
// steps skipped with why, the VMs back, zero differences — where the plain restart fails.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/engine/run.js';
import { parentFacts } from '../../src/engine/facts.js';
import { nothingToRestore, partialRestartRunbook } from '../../src/runbook/partial-restart.js';
import { restartFlags, shutdownFlags } from '../../src/guard/wiring/actions.js';
import { runOptionsFrom } from '../../src/cli/run/env.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { clusterDirOf } from '../../src/journal/paths.js';
import { defaultRunOptions, restartRunbook } from '../../src/runbook/index.js';
import { Facts } from '../../src/runbook/facts.js';
import { startBed, type Bed } from './bed.js';

describe('nothingToRestore', () => {
  const facts = (...keys: string[]) => new Map(keys.map((k) => [k, {}]));
  it.each([
    ['restart.power-on-leader', [Facts.network.key], /recorded etcd/],
    ['restart.power-on-leader', [], /recorded network and etcd/],
    ['restart.power-on-workers', [Facts.network.key], undefined],
    ['restart.check-vip', [], /recorded network/],
    ['restart.start-traditional-vms', [], undefined],
  ] as [string, string[], RegExp | undefined][])('%s with %j', (step, keys, reason) => {
    const r = nothingToRestore(step, facts(...keys));
    if (reason) expect(r).toMatch(reason);
    else expect(r).toBeUndefined();
  });

  it('keeps the restart runbook\'s step ids and order (so `fallow resume` can finish it)', () => {
    expect(partialRestartRunbook(new Map()).steps.map((s) => s.id)).toEqual(restartRunbook.steps.map((s) => s.id));
  });
});

describe('budget plan → run flags', () => {
  const cluster = { power: '/etc/fallow/power.yaml', backupVms: ['default/db'], forceDeleteStuckPods: true, skipBundles: false, waveSize: 0, acceptNewHostKeys: false };
  it('the unhurried plan', () => {
    const flags = shutdownFlags({ skipSteps: [], vmStopParallelism: 4, guestGraceSeconds: 180, forceOff: false }, cluster);
    expect(runOptionsFrom(flags)).toMatchObject({ stopConcurrency: 4, guestGraceSeconds: 180, skipBundles: false, backupVms: ['default/db'], forceOff: false, forceDeleteStuckPods: true });
    expect(flags).toMatchObject({ power: '/etc/fallow/power.yaml', yes: true });
  });
  it('a reduced plan: skipped steps become options the runbook knows', () => {
    const flags = shutdownFlags({ skipSteps: ['shutdown.support-bundle', 'shutdown.backup-vms'], vmStopParallelism: 16, guestGraceSeconds: 30, forceOff: true }, cluster);
    expect(runOptionsFrom(flags)).toMatchObject({ stopConcurrency: 16, guestGraceSeconds: 30, skipBundles: true, backupVms: [], forceOff: true });
  });
  it('the restart', () => {
    expect(runOptionsFrom(restartFlags({ ...cluster, waveSize: 3 }, true))).toMatchObject({ waveSize: 3, fromPartial: true, skipBundles: false, forceOff: false });
  });
});

describe('a partial restart on the twin', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
  });
  afterAll(async () => bed?.close());

  it('undoes a shutdown stopped after the traditional VMs: power-on skipped, VMs back, zero differences', async () => {
    const stopped = await bed.shutdown({ engine: { until: 'shutdown.stop-traditional-vms' } });
    expect(stopped.state).toBe('stopped');
    const facts = parentFacts(clusterDirOf(bed.stateDir, bed.identity.uid), stopped.runId, bed.identity.uid);
    expect(facts.has(Facts.etcd.key)).toBe(false);

    const common = { clock: bed.twin.clock, identity: bed.identity, stateDir: bed.stateDir, parentRunId: stopped.runId, options: { yes: true } };
    const env = ({ runDir }: { runDir: string }) => ({ cluster: bed.conn.cluster, power: bed.power, options: { ...defaultRunOptions, fromPartial: true }, runDir });
    // The plain restart cannot: it needs what this shutdown never recorded.
    const plain = await runRunbook({ ...common, runbook: restartRunbook, makeEnv: env });
    expect(plain).toMatchObject({ state: 'stopped', reason: 'failed' });
    expect(plain.message).toMatch(/needs the recorded fact "etcd"/);

    const r = await runRunbook({ ...common, runbook: partialRestartRunbook(facts), makeEnv: env });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const journal = readJournal(join(r.runDir!, 'journal.jsonl')).records;
    const skipped = journal.flatMap((x) => (x.type === 'step-skipped' ? [[x.step, x.reason]] : []));
    expect(skipped).toEqual(
      expect.arrayContaining([
        ['restart.power-on-leader', expect.stringMatching(/stopped before it recorded etcd/)],
        ['restart.power-on-etcd-members', expect.stringMatching(/stopped before it recorded etcd/)],
      ]),
    );
    const verification = replay(journal).facts.get('verification') as { summary: { errors: number } };
    expect(verification.summary.errors).toBe(0);
    for (const n of bed.twin.power.nodes()) expect(bed.twin.power.state(n)).toBe('on');
  });
});

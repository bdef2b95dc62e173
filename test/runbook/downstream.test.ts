// Issue 12 on the twin with its Rancher Manager: the full cycle with --snapshot-downstream
// (snapshots before any VM stops; after the restart Harvester Active and every downstream
// cluster Ready; zero verification differences; the token in no artifact), a cluster that
// does not come back, and the shutdown stopping before any destructive act when Rancher
// Manager is unreachable or a snapshot fails.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { Facts } from '../../src/runbook/facts.js';
import type { Json } from '../../src/engine/types.js';
import { rancherPlanLines, rancherPlanView } from '../../src/rancher/index.js';
import { filesContaining, issue12Restart, issue12Shutdown, rancherShutdown, startExtrasBed, type ExtrasBed } from './extras-bed.js';

const factsOf = (runDir: string): ReadonlyMap<string, Json> => replay(readJournal(join(runDir, 'journal.jsonl')).records).facts;

describe('full cycle with every issue-12 step: Rancher Manager, --snapshot-downstream, network re-check', () => {
  let x: ExtrasBed;
  beforeAll(async () => {
    x = await startExtrasBed({ netCheck: true });
  });
  afterAll(async () => x?.close());

  it('plan lists the Harvester cluster state and the downstream clusters on this Harvester', async () => {
    const v = await rancherPlanView(x.rancher!, x.bed.conn.cluster);
    expect(v.harvester).toMatchObject({ id: 'c-m-8nrp4xsl', state: 'Active' });
    expect(rancherPlanLines(v)).toEqual([
      `Rancher Manager ${x.rm!.url}: Harvester cluster harvester (c-m-8nrp4xsl) Active`,
      'downstream fleet-default/rke2-dev: Ready, 2/2 machines ready (downstream/dev-pool1-77d8b-j5hcx, downstream/dev-pool1-77d8b-m2rbt)',
      'downstream fleet-default/rke2-prod: Ready, 3/3 machines ready (downstream/prod-pool1-6c4f9-2xlqm, downstream/prod-pool1-6c4f9-8zkdw, downstream/prod-pool1-6c4f9-tq7vn)',
    ]);
  });

  let shutdownRun = '';
  it('snapshots every downstream cluster and waits for the snapshots before any VM stops', async () => {
    const start = x.bed.twin.clock.now();
    const r = await x.run(issue12Shutdown(), { options: { snapshotDownstream: true } });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    shutdownRun = r.runId;
    const facts = factsOf(r.runDir!);
    const view = facts.get(Facts.rancherManager.key) as { harvester: { id: string; state: string }; downstream: { name: string; readyMachines: number }[] };
    expect(view.harvester).toMatchObject({ id: 'c-m-8nrp4xsl', state: 'Active' });
    expect(view.downstream.map((d) => `${d.name}:${d.readyMachines}`)).toEqual(['rke2-dev:2', 'rke2-prod:3']);
    const taken = facts.get(Facts.downstreamSnapshotsTaken.key) as { name: string; snapshots: string[] }[];
    expect(taken.map((t) => `${t.name}:${t.snapshots.length}`)).toEqual(['rke2-dev:2', 'rke2-prod:3']);

    // Every snapshot was created (modelled time) before the first VM was asked to stop.
    const created = x.rm!.store.scan(x.rm!.store.typeOfKind('rke.cattle.io/v1', 'ETCDSnapshot')).map((s) => Date.parse(s.metadata.creationTimestamp!));
    expect(created).toHaveLength(5);
    const firstStop = x.bed.twin.events.first({ type: ['vm.runstrategy', 'guest.acpi-shutdown', 'vmi.deleted'], since: start });
    expect(firstStop).toBeDefined();
    expect(Math.max(...created)).toBeLessThanOrEqual(firstStop!.t);
    // and Rancher saw the downstream clusters go NotReady once their VMs stopped
    const after = await x.rancher!.downstreamClusters();
    expect(after.every((d) => !d.ready)).toBe(true);
  });

  let restartRunDir = '';
  it('stops the restart naming a downstream cluster that does not come back', async () => {
    expect(shutdownRun).not.toBe('');
    x.rm!.setFaults({ clusterStuck: ['rke2-dev'] });
    const r = await x.run(issue12Restart(), { parentRunId: shutdownRun, options: { waveSize: 2, downstreamTimeoutMs: 10 * 60_000 } });
    restartRunDir = r.runDir!;
    expect(r.state).not.toBe('completed');
    expect(r.message).toMatch(/downstream cluster fleet-default\/rke2-dev is not Ready/);
    expect(r.message).not.toMatch(/rke2-prod/);
    const facts = factsOf(r.runDir!);
    const afterFact = facts.get(Facts.rancherManagerAfter.key) as { harvester: { state: string }; downstream: { name: string; ready: boolean; problem?: string }[] };
    expect(afterFact.harvester.state).toBe('Active');
    expect(afterFact.downstream.find((d) => d.name === 'rke2-prod')).toMatchObject({ ready: true });
    expect(afterFact.downstream.find((d) => d.name === 'rke2-dev')?.problem).toMatch(/rke2-dev is not Ready/);
    expect(x.bed.events.some((e) => e.type === 'step-done' && e.step === 'restart.rancher-manager-active')).toBe(true);
  });

  it('resumes once the cluster is back: every downstream cluster Ready, zero verification differences', async () => {
    x.rm!.setFaults({ clusterStuck: [] });
    const r = await x.resume(issue12Restart(), restartRunDir, { options: { waveSize: 2 } });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const facts = factsOf(restartRunDir);
    const afterFact = facts.get(Facts.rancherManagerAfter.key) as { downstream: { name: string; ready: boolean; readyMachines: number; expectedMachines: number }[] };
    expect(afterFact.downstream.map((d) => `${d.name}:${d.ready}:${d.readyMachines}/${d.expectedMachines}`)).toEqual(['rke2-dev:true:2/2', 'rke2-prod:true:3/3']);
    const verification = facts.get('verification') as { summary: { errors: number } };
    expect(verification.summary.errors).toBe(0);
    // every node passed its network re-check (the registration URL's host among the names resolved)
    const checks = facts.get(Facts.netChecks.key) as Record<string, { check: string; target: string; ok: boolean }[]>;
    expect(Object.keys(checks).sort()).toEqual(x.bed.twin.scenario.nodes.map((n) => n.name).sort());
    expect(Object.values(checks).flat().filter((c) => !c.ok)).toEqual([]);
    expect(Object.values(checks)[0]!.some((c) => c.check === 'dns' && c.target === 'rancher.example.com' && c.ok)).toBe(true);
  });

  it('leaves the Rancher token in no file of either run', () => {
    const secretHalf = x.token.slice(x.token.indexOf(':') + 1);
    expect(secretHalf.length).toBeGreaterThan(20);
    expect(filesContaining(x.bed.stateDir, secretHalf)).toEqual([]);
    expect(x.bed.events.map((e) => JSON.stringify(e)).filter((l) => l.includes(secretHalf))).toEqual([]);
  });
});

describe('the shutdown stops before any destructive act', () => {
  let x: ExtrasBed;
  beforeAll(async () => {
    x = await startExtrasBed({ snapshotSeconds: [20, 20] });
  });
  afterAll(async () => x?.close());

  const running = () => x.bed.twin.store.scan(x.bed.twin.store.typeOfKind('kubevirt.io/v1', 'VirtualMachineInstance')).map((v) => `${v.metadata.namespace}/${v.metadata.name}`).sort();
  let before: string[] = [];
  let runDir = '';

  it('when Rancher Manager cannot be reached, naming it', async () => {
    before = running();
    await x.rm!.setReachable(false);
    const r = await x.run(rancherShutdown(), { options: { snapshotDownstream: true }, engine: { retry: { maxAttempts: 2 } } });
    runDir = r.runDir!;
    expect(r.state).not.toBe('completed');
    expect(r.message).toContain(`cannot reach Rancher Manager at ${x.rm!.url}`);
    expect(r.finished).not.toContain('shutdown.stop-traditional-vms');
    expect(running()).toEqual(before);
  });

  it('when a snapshot fails, naming the cluster and the failure', async () => {
    await x.rm!.setReachable(true);
    x.rm!.setFaults({ snapshotFails: ['rke2-prod'] });
    const r = await x.resume(rancherShutdown(), runDir, { options: { snapshotDownstream: true } });
    expect(r.state).not.toBe('completed');
    expect(r.message).toMatch(/the etcd snapshot of downstream cluster fleet-default\/rke2-prod failed: etcd snapshot save failed/);
    expect(r.finished).not.toContain('shutdown.stop-traditional-vms');
    expect(running()).toEqual(before);
    expect(x.bed.twin.events.find({ type: ['vm.runstrategy', 'guest.acpi-shutdown'] })).toEqual([]);
  });

  it('asks Rancher again on resume and goes on once the snapshot succeeds', async () => {
    x.rm!.setFaults({ snapshotFails: [] });
    const r = await x.resume(rancherShutdown(), runDir, { options: { snapshotDownstream: true }, engine: { until: 'shutdown.downstream-snapshots' } });
    expect(r.message).toMatch(/^Stopped after step shutdown.downstream-snapshots \(--until\)/);
    expect(r.finished).toContain('shutdown.downstream-snapshots');
    const taken = factsOf(runDir).get(Facts.downstreamSnapshotsTaken.key) as { name: string; snapshots: string[] }[];
    expect(taken.find((t) => t.name === 'rke2-prod')!.snapshots).toHaveLength(3);
    const state = await x.rancher!.snapshotState('fleet-default', 'rke2-prod');
    expect(state).toMatchObject({ requestedGeneration: 2, finishedGeneration: 2, phase: 'Finished' });
    expect(running()).toEqual(before);
  });
});

// The Rancher steps' decisions as pure functions: which downstream clusters are on this
// Harvester, where a snapshot request stands (including a retry after a failure), and
// whether a recorded cluster is back.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineObject } from '../../src/common/harvester-types.js';
import type { DownstreamClusterFact } from '../../src/runbook/facts.js';
import { onThisHarvester } from '../../src/runbook/lib/downstream.js';
import type { DownstreamClusterView, SnapshotStateView } from '../../src/runbook/rancher-port.js';
import { judgeCluster } from '../../src/runbook/restart/rancher-manager.js';
import { snapshotProgress } from '../../src/runbook/shutdown/downstream-snapshots.js';

const cluster = (name: string, machines: DownstreamClusterView['machines'], ready = true): DownstreamClusterView => ({ namespace: 'fleet-default', name, ready, harvesterPools: ['pool1'], machines });
const m = (name: string, ready = true, ns?: string) => ({ namespace: 'fleet-default', name, phase: 'Running', ready, vm: { ...(ns ? { namespace: ns } : {}), name }, ...(ready ? {} : { reason: 'Node condition Ready is Unknown' }) });
const vm = (name: string, ns: string, guest?: string): VirtualMachineObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: ns, labels: guest ? { 'guestcluster.harvesterhci.io/name': guest } : {} } });

describe('onThisHarvester', () => {
  it('keeps clusters whose machines are VMs here, or named by a VM label', () => {
    const cs = [cluster('a', [m('a-1', true, 'downstream')]), cluster('b', [m('b-1', true, 'elsewhere')]), cluster('c', [m('c-1')]), cluster('d', [])];
    const vms = [vm('a-1', 'downstream'), vm('b-1', 'downstream'), vm('c-1', 'x'), vm('lonely', 'downstream', 'd')];
    expect(onThisHarvester(cs, vms).map((c) => c.name)).toEqual(['a', 'c', 'd']);
  });
});

describe('snapshotProgress', () => {
  const req = { namespace: 'fleet-default', name: 'rke2-prod', baseGeneration: 0, generation: 1, before: ['old'] };
  const st = (o: Partial<SnapshotStateView>): SnapshotStateView => ({ requestedGeneration: 1, finishedGeneration: 0, processingGeneration: 1, snapshots: [], ...o });
  it.each<[string, Partial<SnapshotStateView>, string]>([
    ['requested, not picked up', { processingGeneration: 0 }, 'waiting:requested'],
    ['started', { phase: 'Started' }, 'waiting:Started'],
    ['finished, object not listed yet', { phase: 'Finished', finishedGeneration: 1, snapshots: [{ name: 'old', status: 'successful' }] }, 'waiting:not listed'],
    ['finished with a new snapshot', { phase: 'Finished', finishedGeneration: 1, snapshots: [{ name: 'old', status: 'successful' }, { name: 'new', status: 'successful' }] }, 'done:new'],
    ['failed', { phase: 'Failed', snapshots: [{ name: 'f', status: 'failed', message: 'disk full' }] }, 'failed:disk full'],
    ['failed before, asked again, not picked up yet', { phase: 'Failed', requestedGeneration: 2, processingGeneration: 1 }, 'waiting:Failed'],
    ['asked again and finished', { phase: 'Finished', requestedGeneration: 2, processingGeneration: 2, finishedGeneration: 2, snapshots: [{ name: 'f', status: 'failed' }, { name: 'n', status: 'successful' }] }, 'done:n'],
  ])('%s', (_w, o, want) => {
    const p = snapshotProgress(req, st(o));
    const got = p.state === 'done' ? `done:${p.taken.join(',')}` : p.state === 'failed' ? `failed:${p.reason}` : `waiting:${p.detail}`;
    const [state, text] = want.split(':');
    expect(got.startsWith(`${state}:`)).toBe(true);
    expect(got).toContain(text);
  });
});

describe('judgeCluster', () => {
  const want: DownstreamClusterFact = { namespace: 'fleet-default', name: 'rke2-prod', ready: true, readyMachines: 2, machines: [] };
  it('is back when Ready with as many ready machines', () => {
    expect(judgeCluster(want, cluster('rke2-prod', [m('a'), m('b'), m('c')])).problem).toBeUndefined();
  });
  it('names a cluster that is gone, not Ready, or short of machines', () => {
    expect(judgeCluster(want, undefined).problem).toBe('downstream cluster fleet-default/rke2-prod is gone from Rancher Manager');
    expect(judgeCluster(want, { ...cluster('rke2-prod', [m('a'), m('b', false)], false), message: '1 of 2 machines not ready' }).problem).toBe(
      'downstream cluster fleet-default/rke2-prod is not Ready: 1 of 2 machines not ready; 1 of 2 machines ready (b: Node condition Ready is Unknown)',
    );
    expect(judgeCluster(want, cluster('rke2-prod', [m('a')])).problem).toBe('downstream cluster fleet-default/rke2-prod is Ready with fewer machines: 1 of 2 machines ready');
  });
});

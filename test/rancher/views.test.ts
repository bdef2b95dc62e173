// Rancher's objects read the way the Rancher UI reads them: Harvester Active / Unavailable
// / Provisioning from the management Cluster's conditions, machine and cluster readiness,
// snapshot messages (rke2 base64-encodes them), the id in Harvester's registration URL.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/common/harvester-types.js';
import type { HarvesterMachineObject, MachineObject, ManagementClusterObject, ProvisioningClusterObject } from '../../src/rancher/kinds.js';
import { decodeSnapshotMessage, downstreamClusterView, harvesterClusterView, isHarvesterDownstream, machineView, registrationClusterId, snapshotStateView } from '../../src/rancher/views.js';

const mgmt = (conditions?: Condition[]): ManagementClusterObject => ({
  apiVersion: 'management.cattle.io/v3',
  kind: 'Cluster',
  metadata: { name: 'c-m-8nrp4xsl', labels: { 'provider.cattle.io': 'harvester' } },
  spec: { displayName: 'harvester-site-a' },
  ...(conditions ? { status: { conditions } } : {}),
});

describe('registrationClusterId', () => {
  it.each([
    ['https://rancher.example.com/v3/import/7x2kq9ffmz4lq2s8m5wz6hv5nc6f8kpdbx4zq9lrm2tqbhkd9wz6cg_c-m-8nrp4xsl.yaml', 'c-m-8nrp4xsl'],
    ['https://rancher.example.com/v3/import/abc_c-x7k2m.yaml', 'c-x7k2m'],
    ['https://rancher.example.com/v3/import/abc.yaml', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (url, id) => expect(registrationClusterId(url)).toBe(id));
});

describe('harvesterClusterView', () => {
  it('is Active when Ready and Connected', () => {
    expect(harvesterClusterView(mgmt([{ type: 'Ready', status: 'True' }, { type: 'Connected', status: 'True' }]))).toEqual({ id: 'c-m-8nrp4xsl', displayName: 'harvester-site-a', state: 'Active' });
  });
  it('is Unavailable with the disconnection reason', () => {
    const v = harvesterClusterView(mgmt([{ type: 'Ready', status: 'True' }, { type: 'Connected', status: 'False', reason: 'Disconnected', message: 'Cluster agent is not connected' }]));
    expect(v).toMatchObject({ state: 'Unavailable', message: 'Cluster agent is not connected' });
    expect(harvesterClusterView(mgmt([{ type: 'Ready', status: 'Unknown', reason: 'Waiting' }]))).toMatchObject({ state: 'Unavailable', message: 'Waiting' });
  });
  it('is Provisioning before Rancher reported Ready at all', () => {
    expect(harvesterClusterView(mgmt())).toMatchObject({ state: 'Provisioning' });
  });
});

const machine = (name: string, status: MachineObject['status'], infra = true): MachineObject => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'Machine',
  metadata: { name, namespace: 'fleet-default', labels: { 'cluster.x-k8s.io/cluster-name': 'rke2-prod' } },
  spec: { clusterName: 'rke2-prod', ...(infra ? { infrastructureRef: { apiVersion: 'rke-machine.cattle.io/v1', kind: 'HarvesterMachine', name, namespace: 'fleet-default' } } : {}) },
  status,
});
const hms = new Map<string, HarvesterMachineObject>([
  ['fleet-default/m1', { apiVersion: 'rke-machine.cattle.io/v1', kind: 'HarvesterMachine', metadata: { name: 'm1', namespace: 'fleet-default' }, spec: { vmNamespace: 'downstream' } }],
]);

describe('machineView', () => {
  it.each<[string, MachineObject['status'], boolean, string | undefined]>([
    ['running with a healthy node', { phase: 'Running', nodeRef: { name: 'm1' }, conditions: [{ type: 'NodeHealthy', status: 'True' }] }, true, undefined],
    ['provisioning', { phase: 'Provisioning' }, false, 'phase Provisioning'],
    ['running without a node', { phase: 'Running' }, false, 'no node yet'],
    ['running with an unhealthy node', { phase: 'Running', nodeRef: { name: 'm1' }, conditions: [{ type: 'NodeHealthy', status: 'False', reason: 'NodeConditionsFailed', message: 'Node condition Ready is Unknown' }] }, false, 'Node condition Ready is Unknown'],
  ])('%s', (_w, status, ready, reason) => {
    const v = machineView(machine('m1', status), hms);
    expect(v.ready).toBe(ready);
    expect(v.reason).toBe(reason);
    expect(v.vm).toEqual({ namespace: 'downstream', name: 'm1' });
  });
  it('leaves the VM namespace unknown without a HarvesterMachine, and no VM for another driver', () => {
    expect(machineView(machine('m2', { phase: 'Running' }), hms).vm).toEqual({ name: 'm2' });
    expect(machineView(machine('m3', { phase: 'Running' }, false), hms).vm).toBeUndefined();
  });
});

describe('downstreamClusterView', () => {
  const p: ProvisioningClusterObject = {
    apiVersion: 'provisioning.cattle.io/v1',
    kind: 'Cluster',
    metadata: { name: 'rke2-prod', namespace: 'fleet-default' },
    spec: { rkeConfig: { machinePools: [{ name: 'pool1', quantity: 2, machineConfigRef: { kind: 'HarvesterConfig', name: 'nc-x' } }, { name: 'aws', machineConfigRef: { kind: 'Amazonec2Config' } }] } },
    status: { clusterName: 'c-m-abc', ready: true, conditions: [{ type: 'Ready', status: 'True' }] },
  };
  it('reads readiness, pools and only its own machines', () => {
    const other = { ...machine('x', { phase: 'Running' }), metadata: { name: 'x', namespace: 'fleet-default', labels: { 'cluster.x-k8s.io/cluster-name': 'other' } }, spec: { clusterName: 'other' } };
    const v = downstreamClusterView(p, [machine('m1', { phase: 'Running', nodeRef: { name: 'm1' } }), other], hms);
    expect(v).toMatchObject({ namespace: 'fleet-default', name: 'rke2-prod', id: 'c-m-abc', ready: true, harvesterPools: ['pool1'] });
    expect(v.machines.map((m) => m.name)).toEqual(['m1']);
    expect(isHarvesterDownstream(p)).toBe(true);
    expect(isHarvesterDownstream({ ...p, spec: { rkeConfig: { machinePools: [{ name: 'aws', machineConfigRef: { kind: 'Amazonec2Config' } }] } } })).toBe(false);
  });
  it('is not ready when Rancher says Ready=False even with status.ready left true', () => {
    const v = downstreamClusterView({ ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'False', message: 'cluster agent disconnected' }] } }, [], hms);
    expect(v).toMatchObject({ ready: false, message: 'cluster agent disconnected' });
  });
});

describe('snapshots', () => {
  it('decodes base64 failure messages and keeps plain ones', () => {
    expect(decodeSnapshotMessage(Buffer.from('etcd snapshot save failed: context deadline exceeded').toString('base64'))).toBe('etcd snapshot save failed: context deadline exceeded');
    expect(decodeSnapshotMessage('plain text, not base64')).toBe('plain text, not base64');
    expect(decodeSnapshotMessage('AAECAw==')).toBe('AAECAw=='); // decodes to control bytes: kept as is
    expect(decodeSnapshotMessage(undefined)).toBeUndefined();
  });
  it('reads where a request stands', () => {
    const v = snapshotStateView(
      { apiVersion: 'provisioning.cattle.io/v1', kind: 'Cluster', metadata: { name: 'c' }, spec: { rkeConfig: { etcdSnapshotCreate: { generation: 3 } } } },
      { apiVersion: 'rke.cattle.io/v1', kind: 'RKEControlPlane', metadata: { name: 'c' }, spec: { etcdSnapshotCreate: { generation: 3 } }, status: { etcdSnapshotCreate: { generation: 2 }, etcdSnapshotCreatePhase: 'Started' } },
      [{ apiVersion: 'rke.cattle.io/v1', kind: 'ETCDSnapshot', metadata: { name: 's2' }, snapshotFile: { status: 'successful', nodeName: 'm1' } }],
    );
    expect(v).toEqual({ requestedGeneration: 3, finishedGeneration: 2, processingGeneration: 3, phase: 'Started', snapshots: [{ name: 's2', nodeName: 'm1', status: 'successful' }] });
  });
});

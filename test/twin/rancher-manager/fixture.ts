// A small Harvester side for the Rancher Manager tests: a store with the twin's kinds, the
// registration URL, cattle-cluster-agent, and two downstream clusters' node-driver VMs with
// running VMIs (plus one traditional VM that Rancher must ignore). Helpers flip the agent
// and the VMIs the way the twin's controllers would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledClock } from '../../../src/common/clock.js';
import { Kinds, Labels, NodeDriverCreator } from '../../../src/common/harvester.js';
import { LocalTwinApi } from '../../../src/twin/api.js';
import { allTwinTypes } from '../../../src/twin/resources.js';
import { startRancherManager, type TwinRancherManager } from '../../../src/twin/rancher-manager/index.js';
import { Store } from '../../../src/twin/store/store.js';
import type { KObject } from '../../../src/twin/store/types.js';

export const HarvesterId = 'c-m-8nrp4xsl';
export const RegistrationUrl = `https://rancher.example.com/v3/import/7x2kq9ffmz4lq2s8m5wz6hv5nc6f8kpdbx4zq9lrm2tqbhkd9wz6cg_${HarvesterId}.yaml`;
export const prodVms = ['prod-pool1-6c4f9-2xlqm', 'prod-pool1-6c4f9-8zkdw', 'prod-pool1-6c4f9-tq7vn'];
export const devVms = ['dev-pool1-77d8b-j5hcx', 'dev-pool1-77d8b-m2rbt'];

export interface HarvesterSide {
  store: Store;
  api: LocalTwinApi;
  clock: ScaledClock;
  setAgentReady(n: number): Promise<void>;
  stopVm(name: string): Promise<void>;
  startVm(name: string): Promise<void>;
}

function vm(name: string, guestCluster?: string): KObject {
  const labels: Record<string, string> = guestCluster
    ? { [Labels.vmCreator]: NodeDriverCreator, [Labels.guestClusterName]: guestCluster, [Labels.nodePoolName]: `${guestCluster}-pool1` }
    : { [Labels.vmCreator]: 'harvester' };
  return { ...Kinds.VirtualMachine, metadata: { name, namespace: guestCluster ? 'downstream' : 'default', labels }, spec: { runStrategy: guestCluster ? 'RerunOnFailure' : 'Always' } };
}

function vmi(name: string, ns: string): KObject {
  return { ...Kinds.VirtualMachineInstance, metadata: { name, namespace: ns }, status: { phase: 'Running' } };
}

export async function harvesterSide(opts: { registrationUrl?: string } = {}): Promise<HarvesterSide> {
  const clock = new ScaledClock(2000);
  const store = new Store({ now: () => clock.now() });
  for (const t of allTwinTypes) store.register(t);
  const api = new LocalTwinApi(store);
  await api.create({ ...Kinds.Setting, metadata: { name: 'cluster-registration-url' }, value: opts.registrationUrl ?? RegistrationUrl });
  await api.create({ ...Kinds.Deployment, metadata: { name: 'cattle-cluster-agent', namespace: 'cattle-system' }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2 } });
  for (const n of prodVms) await api.create(vm(n, 'rke2-prod'));
  for (const n of devVms) await api.create(vm(n, 'rke2-dev'));
  await api.create(vm('web-01'));
  for (const n of [...prodVms, ...devVms]) await api.create(vmi(n, 'downstream'));
  await api.create(vmi('web-01', 'default'));
  return {
    store,
    api,
    clock,
    async setAgentReady(n) {
      await api.patch(Kinds.Deployment, 'cattle-system', 'cattle-cluster-agent', { status: { readyReplicas: n } }, { subresource: 'status' });
    },
    async stopVm(name) {
      await api.delete(Kinds.VirtualMachineInstance, 'downstream', name);
    },
    async startVm(name) {
      await api.create(vmi(name, 'downstream'));
    },
  };
}

export interface RancherBed {
  hv: HarvesterSide;
  rm: TwinRancherManager;
  dir: string;
  close(): Promise<void>;
}

export async function rancherBed(o: { snapshotSeconds?: [number, number]; registrationUrl?: string } = {}): Promise<RancherBed> {
  const hv = await harvesterSide(o);
  const dir = mkdtempSync(join(tmpdir(), 'fallow-rm-'));
  const rm = await startRancherManager({ api: hv.api, clock: hv.clock, scenario: { seed: 7, cluster: { name: 'harvester' } } }, { dir, snapshotSeconds: o.snapshotSeconds ?? [30, 30] });
  return {
    hv,
    rm,
    dir,
    async close() {
      await rm.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

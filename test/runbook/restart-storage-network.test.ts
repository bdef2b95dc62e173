// The 5.2 "Storage Network" check: when the storage-network setting is set, the setting is
// configured and every Longhorn instance-manager pod carries the network; read from
// objects, then on the twin, whose instance managers come back with it after a restart
// (or, under the storageNetworkNotApplied fault, without it and the gate stops).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageNetwork } from '../../src/common/harvester.js';
import type { PodObject, SettingObject } from '../../src/common/harvester-types.js';
import { describeStorageNetworkProblem, storageNetworkProblem } from '../../src/runbook/restart/health-checks.js';
import { healthStop } from '../../src/runbook/restart/health.js';
import { loadScenarioFile } from '../../src/twin/scenario/load.js';
import { startBed, type Bed } from './bed.js';

const value = '{"vlan":50,"clusterNetwork":"storage","range":"192.168.50.0/24"}';
const nad = 'harvester-system/storagenetwork-95bj4';

const setting = (v: string, condition?: { status: 'True' | 'False'; reason: string; message?: string }): SettingObject => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: { name: 'storage-network', annotations: { [StorageNetwork.nadAnnotation]: v ? nad : '' } },
  value: v,
  ...(condition ? { status: { conditions: [{ type: 'configured', ...condition }] } } : {}),
});
const im = (name: string, node: string, networks: { name: string; interface?: string; ips?: string[] }[] | undefined, phase: 'Running' | 'Pending' = 'Running'): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    namespace: 'longhorn-system',
    name,
    labels: { 'longhorn.io/component': 'instance-manager' },
    ...(networks ? { annotations: { [StorageNetwork.networkStatusAnnotation]: JSON.stringify([{ name: 'k8s-pod-network', ips: ['10.52.0.7'], default: true }, ...networks]) } } : {}),
  },
  spec: { nodeName: node },
  status: { phase },
});
const attached = [{ name: nad, interface: 'lhnet1', ips: ['192.168.50.3'] }];
const completed = { status: 'True' as const, reason: 'Completed' };

describe('storageNetworkProblem', () => {
  it('does not apply when no storage network is set (or the setting is not there)', () => {
    expect(storageNetworkProblem(setting(''), [im('instance-manager-a', 'harv41', undefined)])).toBeUndefined();
    expect(storageNetworkProblem(undefined, [])).toBeUndefined();
  });

  it('passes a configured setting whose instance managers all carry its NAD with an address', () => {
    expect(storageNetworkProblem(setting(value, completed), [im('instance-manager-a', 'harv41', attached), im('instance-manager-b', 'harv42', attached)])).toBeUndefined();
  });

  it('names each running instance manager without the NAD, and ignores other pods and ones not yet running', () => {
    const p = storageNetworkProblem(setting(value, completed), [
      im('instance-manager-a', 'harv41', attached),
      im('instance-manager-b', 'harv42', []), // Multus attached only the pod network
      im('instance-manager-c', 'harv43', undefined), // no network-status at all
      im('instance-manager-d', 'harv2', [{ name: nad, interface: 'lhnet1', ips: [] }]), // no address
      im('instance-manager-e', 'harv2', [], 'Pending'),
      { ...im('longhorn-manager-x', 'harv2', []), metadata: { namespace: 'longhorn-system', name: 'longhorn-manager-x' } },
    ]);
    expect(p).toEqual({
      value,
      nad,
      podsWithout: ['longhorn-system/instance-manager-b (on harv42)', 'longhorn-system/instance-manager-c (on harv43)', 'longhorn-system/instance-manager-d (on harv2)'],
    });
  });

  it('counts an attachment of another NAD (an old storage network) as missing', () => {
    const p = storageNetworkProblem(setting(value, completed), [im('instance-manager-a', 'harv41', [{ name: 'harvester-system/storagenetwork-old', interface: 'lhnet1', ips: ['192.168.60.3'] }])]);
    expect(p?.podsWithout).toEqual(['longhorn-system/instance-manager-a (on harv41)']);
  });

  it('reports a setting Harvester has not finished configuring, with its reason and message', () => {
    const p = storageNetworkProblem(setting(value, { status: 'False', reason: 'In Progress', message: 'IP allocation failure for Longhorn Pods' }), [im('instance-manager-a', 'harv41', attached)]);
    expect(p?.notConfigured).toBe('False (In Progress: IP allocation failure for Longhorn Pods)');
    expect(describeStorageNetworkProblem(p!)).toBe(`setting storage-network ${value} (NAD ${nad}): its condition configured is False (In Progress: IP allocation failure for Longhorn Pods)`);
    expect(storageNetworkProblem(setting(value), [])?.notConfigured).toBe('not reported');
  });

  it('stops at the timeout naming the setting and the pods, with how to check and recover', () => {
    const sn = storageNetworkProblem(setting(value, completed), [im('instance-manager-b', 'harv42', [])])!;
    const err = healthStop({ pods: [], volumes: [], storageNetwork: sn }, 15 * 60_000);
    expect(err.message).toBe(
      `Health gate not passed after 15m: storage network not in place: setting storage-network ${value} (NAD ${nad}): 1 Longhorn instance-manager pod without it on lhnet1: longhorn-system/instance-manager-b (on harv42)`,
    );
    expect(err.hint).toMatch(/^Do not start anything that needs storage until Longhorn is healthy; check the storage network \(seed 5\.2 "Storage Network"\): `kubectl get settings\.harvesterhci\.io storage-network -o yaml`/);
    expect(err.hint).toContain('must list harvester-system/storagenetwork-95bj4 on lhnet1');
    expect(err.hint).toMatch(/delete the instance-manager pods without it.*`fallow resume`/);
  });
});

describe('on the twin with a storage network set', () => {
  let bed: Bed;
  const instanceManagers = async () => (await bed.conn.cluster.list<PodObject>('Pod', { namespace: 'longhorn-system', labelSelector: 'longhorn.io/component=instance-manager' })).sort((a, b) => a.spec!.nodeName!.localeCompare(b.spec!.nodeName!));
  const storageSetting = () => bed.conn.cluster.get<SettingObject>('Setting', undefined, 'storage-network');

  beforeAll(async () => {
    const s = await loadScenarioFile('default');
    bed = await startBed({ scenario: { ...s, settings: { ...s.settings, 'storage-network': value } } });
  }, 120_000);
  afterAll(() => bed?.close());

  it('is configured as Harvester leaves it: the NAD named on the setting, on every instance manager with an address of the range', async () => {
    const sn = await storageSetting();
    const nadRef = sn?.metadata.annotations?.[StorageNetwork.nadAnnotation] ?? '';
    expect(nadRef).toMatch(/^harvester-system\/storagenetwork-[a-z0-9]{5}$/);
    expect(await bed.conn.cluster.get('NetworkAttachmentDefinition', 'harvester-system', nadRef.split('/')[1]!)).toBeDefined();
    const pods = await instanceManagers();
    expect(pods.map((p) => p.spec?.nodeName)).toEqual(['harv2', 'harv41', 'harv42', 'harv43']);
    for (const p of pods) {
      const status = JSON.parse(p.metadata.annotations![StorageNetwork.networkStatusAnnotation]!) as { name: string; ips: string[] }[];
      expect(status.find((e) => e.name === nadRef)?.ips[0]).toMatch(/^192\.168\.50\.\d+$/);
    }
    expect(storageNetworkProblem(sn, pods)).toBeUndefined();
  });

  it('passes the gate after a clean restart: every instance manager is replaced and carries it again', async () => {
    const s = await bed.shutdown();
    expect(s.state).toBe('completed');
    const r = await bed.restart(s.runId);
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    expect(storageNetworkProblem(await storageSetting(), await instanceManagers())).toBeUndefined();
  }, 300_000);

  it('after a restart where one node’s instance manager comes back without it, the gate holds and stops naming that pod and the setting', async () => {
    const before = new Map((await instanceManagers()).map((p) => [p.metadata.name, p.metadata.uid]));
    const s = await bed.shutdown();
    expect(s.state).toBe('completed');
    bed.twin.faults.set({ storageNetworkNotApplied: ['harv42'] });
    const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
    expect(r.state).toBe('stopped');
    expect(r.message).toMatch(/^Health gate not passed after 5m: storage network not in place: setting storage-network \{"vlan":50.*\} \(NAD harvester-system\/storagenetwork-\w+\): 1 Longhorn instance-manager pod without it on lhnet1: longhorn-system\/instance-manager-[0-9a-f]{32} \(on harv42\)\. Do not start anything that needs storage/);
    // Longhorn replaced every instance manager (same name, new pod); only harv42's lacks the network.
    const after = await instanceManagers();
    expect(after.map((p) => p.metadata.name).sort()).toEqual([...before.keys()].sort());
    expect(after.every((p) => p.metadata.uid !== before.get(p.metadata.name))).toBe(true);
    expect(storageNetworkProblem(await storageSetting(), after)?.podsWithout).toEqual([expect.stringMatching(/on harv42\)$/)]);
    const waits = bed.events.flatMap((e) => (e.type === 'wait-progress' ? [e.detail] : []));
    expect(waits.some((d) => d.startsWith('waiting for the storage network: setting storage-network'))).toBe(true);
  }, 300_000);
});

import { beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../src/report/snapshot.js';
import type { ClusterSnapshot, SnapshotVm } from '../../src/report/snapshot-types.js';
import { defaultRules, diffSnapshots, summarizeDiff, type VerifyRule } from '../../src/report/verify.js';
import { newStore, seedCluster, storeReader } from './fixture-cluster.js';

let base: ClusterSnapshot;

beforeAll(async () => {
  const store = newStore();
  const etcd = seedCluster(store);
  base = await captureSnapshot(storeReader(store, async () => etcd));
});

const vm = (s: ClusterSnapshot, name: string): SnapshotVm => {
  const v = s.vms.find((x) => x.name === name);
  if (!v) throw new Error(`fixture has no VM ${name}`);
  return v;
};

interface Case {
  name: string;
  mutate: (after: ClusterSnapshot, before: ClusterSnapshot) => void;
  expected: [path: string, severity: 'error' | 'warning'][];
}

const leftover = (name: string) => ({ name, workload: `DaemonSet/${name.replace(/-[^-]+$/, '')}`, status: 'Terminated', ready: '0/1', restarts: 0, node: 'harv42' });

const cases: Case[] = [
  { name: 'identical snapshots', mutate: () => {}, expected: [] },
  {
    name: 'legitimate changes are ignored',
    mutate: (a) => {
      a.takenAt = '2025-02-01T00:00:00.000Z';
      vm(a, 'web').node = 'harv41'; // VM placement
      a.volumes[0]!.node = 'harv43'; // node of a detached volume
      a.volumes[1]!.node = 'harv41';
      a.systemPods[0]!.completed += 2;
      a.etcd!.members.forEach((m) => (m.isLeader = m.node === 'harv41')); // another leader
      a.etcd!.leader = 'harv41';
      a.rancher.rancher!.readyReplicas = 3;
      a.nodes[0]!.kubeletVersion = 'v1.30.8+rke2r1';
    },
    expected: [],
  },
  { name: 'another cluster', mutate: (a) => (a.cluster.id = 'other-uid'), expected: [['cluster/id', 'error']] },
  { name: 'node IP changed', mutate: (a) => (a.nodes[1]!.internalIP = '127.0.1.99'), expected: [['nodes/harv41/internalIP', 'error']] },
  { name: 'node not Ready', mutate: (a) => (a.nodes[2]!.ready = false), expected: [['nodes/harv42/ready', 'error']] },
  {
    name: 'node that was not Ready before either',
    mutate: (a, b) => {
      a.nodes[2]!.ready = false;
      b.nodes[2]!.ready = false;
    },
    expected: [['nodes/harv42/ready', 'warning']],
  },
  { name: 'node missing', mutate: (a) => a.nodes.splice(0, 1), expected: [['nodes/harv2', 'error']] },
  {
    name: 'new node, changed roles',
    mutate: (a) => {
      a.nodes.push({ name: 'harv5', roles: ['worker'], internalIP: '127.0.1.5', ready: true, kubeletVersion: null });
      a.nodes[0]!.roles = ['control-plane', 'etcd', 'master'];
    },
    expected: [['nodes/harv2/roles', 'warning'], ['nodes/harv5', 'warning']],
  },
  { name: 'VIP missing from ingress-expose', mutate: (a) => (a.vip.ingressIp = null), expected: [['vip/ingressIp', 'error']] },
  {
    name: 'VIP changed in the ConfigMap and served',
    mutate: (a) => {
      a.vip.configuredIp = '127.0.1.101';
      a.vip.ingressIp = '127.0.1.101';
    },
    expected: [['vip/configuredIp', 'error'], ['vip/ingressIp', 'error']],
  },
  { name: 'setting changed', mutate: (a) => (a.settings['ntp-servers'] = { value: '{"ntpServers":[]}', isDefault: false }), expected: [['settings/ntp-servers', 'error']] },
  {
    name: 'addon not re-enabled',
    mutate: (a) => Object.assign(a.addons[1]!, { enabled: false, status: 'AddonDisabled' }),
    expected: [['addons/cattle-monitoring-system/rancher-monitoring/enabled', 'error']],
  },
  {
    name: 'addon enabled that was disabled',
    mutate: (a) => Object.assign(a.addons[0]!, { enabled: true, status: 'AddonDeploySuccessful' }),
    expected: [['addons/cattle-logging-system/rancher-logging/enabled', 'error']],
  },
  { name: 'addon still enabling', mutate: (a) => (a.addons[1]!.status = 'AddonEnabling'), expected: [['addons/cattle-monitoring-system/rancher-monitoring/status', 'warning']] },
  {
    name: 'addon failed',
    mutate: (a) => Object.assign(a.addons[2]!, { status: 'AddonEnabling', failure: 'helm install timed out' }),
    expected: [['addons/harvester-system/vm-import-controller/status', 'error']],
  },
  {
    name: 'scale-available not restored, rancher at 0',
    mutate: (a) => Object.assign(a.rancher.rancher!, { scaleAvailable: '', replicas: 0, readyReplicas: 0 }),
    expected: [['rancher/rancher/replicas', 'error'], ['rancher/rancher/scaleAvailable', 'error']],
  },
  {
    name: 'agent not ready yet',
    mutate: (a) => (a.rancher.agent!.readyReplicas = 1),
    expected: [['rancher/cattle-cluster-agent/readyReplicas', 'warning']],
  },
  { name: 'agent deployment gone', mutate: (a) => (a.rancher.agent = null), expected: [['rancher/cattle-cluster-agent', 'error']] },
  { name: 'traditional VM not started', mutate: (a) => Object.assign(vm(a, 'web'), { runningNow: false, vmiPhase: null, node: null }), expected: [['vms/default/web/running', 'error']] },
  { name: 'legacy running VM not started', mutate: (a) => (vm(a, 'legacy').runningNow = false), expected: [['vms/default/legacy/running', 'error']] },
  {
    name: 'downstream VM not yet started by Rancher',
    mutate: (a) => (vm(a, 'rke2-prod-pool1-x7k2p').runningNow = false),
    expected: [['vms/default/rke2-prod-pool1-x7k2p/running', 'warning']],
  },
  { name: 'stopped VM started', mutate: (a) => (vm(a, 'db').runningNow = true), expected: [['vms/default/db/running', 'error']] },
  {
    name: 'runStrategy left Halted',
    mutate: (a) => Object.assign(vm(a, 'web'), { runStrategy: 'Halted', runningNow: false }),
    expected: [['vms/default/web/runStrategy', 'error'], ['vms/default/web/running', 'error']],
  },
  { name: 'VM gone', mutate: (a) => a.vms.splice(a.vms.indexOf(vm(a, 'db')), 1), expected: [['vms/default/db', 'error']] },
  {
    name: 'downstream VM replaced by Rancher',
    mutate: (a) => {
      const old = vm(a, 'rke2-prod-pool1-x7k2p');
      a.vms.splice(a.vms.indexOf(old), 1, { ...old, name: 'rke2-prod-pool1-q9z8w' });
    },
    expected: [['vms/default/rke2-prod-pool1-q9z8w', 'warning'], ['vms/default/rke2-prod-pool1-x7k2p', 'warning']],
  },
  { name: 'volume faulted', mutate: (a) => (a.volumes[1]!.robustness = 'faulted'), expected: [['volumes/pvc-394713a4/robustness', 'error']] },
  { name: 'volume degraded', mutate: (a) => (a.volumes[2]!.robustness = 'degraded'), expected: [['volumes/pvc-620358ca/robustness', 'warning']] },
  { name: 'volume gone', mutate: (a) => a.volumes.splice(0, 1), expected: [['volumes/pvc-3323944c', 'error']] },
  {
    name: 'system pod crash-looping after the restart',
    mutate: (a) => {
      const lh = a.systemPods.find((n) => n.namespace === 'longhorn-system')!;
      lh.ready -= 1;
      lh.problems.push({ name: 'longhorn-manager-zz9', workload: 'DaemonSet/longhorn-manager', status: 'CrashLoopBackOff', ready: '0/1', restarts: 9, node: 'harv41' });
    },
    expected: [['systemPods/longhorn-system/DaemonSet/longhorn-manager', 'error']],
  },
  {
    name: 'system pod that was already failing before',
    mutate: (a, b) => {
      const problem = { name: 'x-1', workload: 'Deployment/harvester', status: 'CrashLoopBackOff', ready: '0/1', restarts: 3, node: null };
      b.systemPods.find((n) => n.namespace === 'harvester-system')!.problems.push(problem);
      a.systemPods.find((n) => n.namespace === 'harvester-system')!.problems.push({ ...problem, name: 'x-2', restarts: 40 });
    },
    expected: [['systemPods/harvester-system/Deployment/harvester', 'warning']],
  },
  {
    name: 'Failed pods left over after the restart, replaced since: a warning, not an error',
    mutate: (a) => {
      a.systemPods.find((n) => n.namespace === 'kube-system')!.leftovers = [leftover('rke2-canal-x1'), leftover('rke2-canal-x2')];
    },
    expected: [['systemPods/kube-system/leftovers', 'warning']],
  },
  {
    name: 'the same leftovers as before the shutdown: no difference; a new one beside them: a warning',
    mutate: (a, b) => {
      b.systemPods.find((n) => n.namespace === 'kube-system')!.leftovers = [leftover('rke2-canal-old')];
      a.systemPods.find((n) => n.namespace === 'kube-system')!.leftovers = [leftover('rke2-canal-old')];
      b.systemPods.find((n) => n.namespace === 'harvester-system')!.leftovers = [leftover('virt-handler-old')];
      a.systemPods.find((n) => n.namespace === 'harvester-system')!.leftovers = [leftover('virt-handler-old'), leftover('virt-handler-new')];
    },
    expected: [['systemPods/harvester-system/leftovers', 'warning']],
  },
  {
    name: 'namespace emptied',
    mutate: (a) => Object.assign(a.systemPods.find((n) => n.namespace === 'harvester-system')!, { ready: 0, total: 0 }),
    expected: [['systemPods/harvester-system', 'error']],
  },
  { name: 'etcd unreadable after', mutate: (a) => ((a.etcd = null), a.unreadable.push('etcd: exec failed')), expected: [['etcd', 'error']] },
  {
    name: 'etcd lost a member and its leader',
    mutate: (a) => {
      a.etcd!.members.pop();
      a.etcd!.members.forEach((m) => (m.isLeader = false));
      a.etcd!.leader = null;
    },
    expected: [['etcd/leader', 'error'], ['etcd/members', 'error']],
  },
];

describe('diffSnapshots', () => {
  it.each(cases)('$name', ({ mutate, expected }) => {
    const before = structuredClone(base);
    const after = structuredClone(base);
    mutate(after, before);
    const diff = diffSnapshots(before, after);
    expect(diff.map((d) => [d.path, d.severity])).toEqual(
      [...expected].sort((x, y) => (x[1] === y[1] ? x[0].localeCompare(y[0]) : x[1] === 'error' ? -1 : 1)),
    );
    for (const d of diff) {
      expect(d.explanation.length).toBeGreaterThan(20);
      expect(defaultRules.map((r) => r.id)).toContain(d.rule);
    }
  });

  it('explains with the object and the recorded value', () => {
    const after = structuredClone(base);
    after.rancher.rancher!.scaleAvailable = '';
    const [d] = diffSnapshots(base, after);
    expect(d).toMatchObject({ path: 'rancher/rancher/scaleAvailable', before: '3', after: '' });
    expect(d?.explanation).toContain('cattle-system/rancher');
  });

  it('takes its own rule table', () => {
    const only: VerifyRule = { id: 'only-nodes', title: 'x', compare: (b, a) => (b.nodes.length === a.nodes.length ? [] : [
      { rule: 'only-nodes', path: 'nodes', before: b.nodes.length, after: a.nodes.length, severity: 'warning', explanation: 'node count changed' },
    ]) };
    const after = structuredClone(base);
    after.nodes.pop();
    after.vip.ingressIp = null; // not checked by this table
    expect(diffSnapshots(base, after, [only]).map((d) => d.path)).toEqual(['nodes']);
  });

  it('summarizes', () => {
    const after = structuredClone(base);
    after.nodes[0]!.ready = false;
    after.volumes[1]!.robustness = 'degraded';
    expect(summarizeDiff(diffSnapshots(base, after))).toEqual({ total: 2, errors: 1, warnings: 1 });
  });
});

describe('leftover Failed pods in the verification', () => {
  it('names the new ones with the command that removes them', () => {
    const before = structuredClone(base);
    const after = structuredClone(base);
    after.systemPods.find((n) => n.namespace === 'kube-system')!.leftovers = [
      { name: 'rke2-canal-x1', workload: 'DaemonSet/rke2-canal', status: 'Terminated', ready: '0/2', restarts: 0, node: 'harv42' },
    ];
    const [d] = diffSnapshots(before, after);
    expect(d?.explanation).toBe(
      '1 Failed pod left over in kube-system (rke2-canal-x1 Terminated on harv42), each replaced since by its Deployment, DaemonSet or Job: the workloads run as before. ' +
        'Read what you need from them (reason, logs), then delete them: `kubectl -n kube-system delete pod rke2-canal-x1`.',
    );
  });
});

// The seed article's procedure done by hand against the twin (no fallow involved): the twin
// must let every step happen as the article describes, the audit of its event log must
// find the order right, and after the restart the cluster must be back as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../../src/common/harvester.js';
import { auditRestart, auditShutdown } from '../../src/twin/audit.js';
import type { Twin } from '../../src/twin/runtime.js';
import { fastTwin, get, K, list, setRunStrategy, until, waitEvent } from './controllers/helpers.js';

describe.each(['default', 'witness'])('the seed procedure on the %s scenario', (scenarioPath) => {
  let t: Twin;
  const strategies = new Map<string, string>();
  let since = 0;
  beforeAll(async () => {
    t = await fastTwin({ scenarioPath });
  });
  afterAll(async () => t?.stop());

  const roles = () => ({
    workers: t.scenario.nodes.filter((n) => n.role === 'worker').map((n) => n.name),
    etcdNodes: t.scenario.nodes.filter((n) => n.role !== 'worker').map((n) => n.name),
    downstreamVms: t.scenario.vms.filter((v) => v.guestCluster).map((v) => `${v.namespace}/${v.name}`),
  });
  const vmis = async () => list(t, K.vmi);
  /** Back to the recorded strategy; a Manual VM also needs a start request (virtctl start). */
  const restore = async (ns: string, name: string, strategy: string) => {
    await setRunStrategy(t, ns, name, strategy);
    if (strategy !== 'Manual') return;
    const vm = (await get(t, K.vm, ns, name))!;
    await t.api.update({ ...vm, status: { ...vm.status, stateChangeRequests: [{ action: 'Start' }] } }, { subresource: 'status' });
  };
  const offAll = async (nodes: string[]) => {
    for (const n of nodes) {
      t.power.requestShutdown(n);
      await waitEvent(t, { type: 'node.power', node: n, detail: 'off' });
    }
  };

  it('shuts down in the seed’s order (3.1–4.3)', async () => {
    since = t.clock.now();
    const initialLeader = t.etcd.leader()!.node;
    // Write down what runs (seed 1.2 spirit): only those get stopped and started again.
    const runningNow = new Set((await vmis()).map((v) => `${v.metadata.namespace}/${v.metadata.name}`));
    for (const vm of await list(t, K.vm)) {
      const key = `${vm.metadata.namespace}/${vm.metadata.name}`;
      if (runningNow.has(key)) strategies.set(key, vm.spec.runStrategy ?? (vm.spec.running ? 'Always' : 'Halted'));
    }
    // 3.1 traditional VMs that are not Off
    for (const vm of t.scenario.vms.filter((v) => !v.guestCluster && runningNow.has(`${v.namespace}/${v.name}`))) await setRunStrategy(t, vm.namespace, vm.name, 'Halted');
    // 3.2 disconnect Rancher Manager, then stop the downstream machines
    await t.api.patch(K.deploy, 'cattle-system', 'rancher', { metadata: { annotations: { [Annotations.scaleAvailable]: '' } } });
    await t.api.patch(K.deploy, 'cattle-system', 'rancher', { spec: { replicas: 0 } });
    await until(async () => (await list(t, K.pod, { namespace: 'cattle-system', labelSelector: 'app=rancher' })).length === 0, 'rancher pods gone', t);
    await t.api.patch(K.deploy, 'cattle-system', 'cattle-cluster-agent', { spec: { replicas: 0 } });
    await until(async () => (await get(t, K.deploy, 'cattle-system', 'cattle-cluster-agent'))?.status.readyReplicas === 0, 'agent gone', t);
    for (const vm of t.scenario.vms.filter((v) => v.guestCluster)) await setRunStrategy(t, vm.namespace, vm.name, 'Halted');
    await until(async () => (await vmis()).length === 0, 'no VMI left', t);
    // 3.3 addons holding PVCs
    for (const a of t.scenario.addons.filter((x) => x.enabled)) await t.api.patch(K.addon, a.namespace, a.name, { spec: { enabled: false } });
    for (const a of t.scenario.addons.filter((x) => x.enabled)) await until(async () => (await get(t, K.addon, a.namespace, a.name))?.status.status === 'AddonDisabled', `${a.name} disabled`, t);
    // 3.5 every volume detached
    await until(async () => (await list(t, K.volume)).every((v) => v.status.state === 'detached'), 'all volumes detached', t);
    // 4.1 workers, 4.2 the non-leaders (after moving leadership off a witness), 4.3 the leader
    await offAll(roles().workers);
    if (t.etcd.leader()?.node && t.scenario.nodes.find((n) => n.name === t.etcd.leader()!.node)?.role === 'witness') {
      await t.api.delete(K.pod, 'kube-system', `etcd-${t.etcd.leader()!.node}`);
      await until(() => t.etcd.leader() !== undefined && t.scenario.nodes.find((n) => n.name === t.etcd.leader()!.node)?.role === 'control-plane', 'leader on a control-plane node', t);
    }
    const leader = t.etcd.leader()!.node;
    await offAll(roles().etcdNodes.filter((n) => n !== leader));
    await offAll([leader]);
    expect(t.reachability()).toBe('refused');
    const findings = auditShutdown({ events: t.events, ...roles(), since, initialLeader });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    strategies.set('leader', leader);
  });

  it('restarts in the seed’s order (5.1–5.5) and the cluster is back as it was', async () => {
    since = t.clock.now();
    const leader = strategies.get('leader')!;
    t.power.powerOn(leader);
    await waitEvent(t, { type: 'node.power', node: leader, detail: 'on', since });
    for (const n of roles().etcdNodes.filter((x) => x !== leader)) t.power.powerOn(n);
    await until(() => t.reachability() === 'up', 'API up', t);
    expect(t.etcd.leader()?.node).toBe(leader);
    for (const n of roles().workers) t.power.powerOn(n);
    await until(async () => (await list(t, K.node)).every((n) => n.status.conditions.find((c: { type: string }) => c.type === 'Ready').status === 'True'), 'all nodes Ready', t);
    await until(async () => (await get(t, K.svc, 'kube-system', 'ingress-expose'))?.status.loadBalancer?.ingress?.[0]?.ip === t.scenario.cluster.vip, 'VIP back', t);
    // 5.3 addons, 5.4 Rancher (the agent follows by itself)
    for (const a of t.scenario.addons.filter((x) => x.enabled)) await t.api.patch(K.addon, a.namespace, a.name, { spec: { enabled: true } });
    for (const a of t.scenario.addons.filter((x) => x.enabled)) await until(async () => (await get(t, K.addon, a.namespace, a.name))?.status.status === 'AddonDeploySuccessful', `${a.name} deployed`, t);
    await t.api.patch(K.deploy, 'cattle-system', 'rancher', { metadata: { annotations: { [Annotations.scaleAvailable]: '3' } } });
    await t.api.patch(K.deploy, 'cattle-system', 'rancher', { spec: { replicas: 3 } });
    await until(async () => (await get(t, K.deploy, 'cattle-system', 'cattle-cluster-agent'))?.status.readyReplicas === 2, 'agent back', t);
    // 5.5 traditional VMs in waves of 2; Rancher Manager starts the downstream machines
    const traditional = t.scenario.vms.filter((v) => !v.guestCluster && strategies.has(`${v.namespace}/${v.name}`));
    for (let i = 0; i < traditional.length; i += 2) {
      const wave = traditional.slice(i, i + 2);
      for (const vm of wave) await restore(vm.namespace, vm.name, strategies.get(`${vm.namespace}/${vm.name}`)!);
      for (const vm of wave) await until(async () => (await get(t, K.vmi, vm.namespace, vm.name))?.status?.phase === 'Running', `${vm.name} running`, t);
    }
    for (const vm of t.scenario.vms.filter((v) => v.guestCluster)) await until(async () => (await get(t, K.vmi, vm.namespace, vm.name))?.status?.phase === 'Running', `${vm.name} running (Rancher Manager)`, t);
    expect(t.events.find({ type: 'rancher.vm-restarted', since }).length).toBe(roles().downstreamVms.length);
    const running = new Set((await vmis()).map((v) => `${v.metadata.namespace}/${v.metadata.name}`));
    const expected = [...strategies.keys()].filter((k) => k.includes('/'));
    expect([...running].sort()).toEqual(expected.sort());
    expect((await list(t, K.volume)).filter((v) => v.status.robustness === 'faulted')).toEqual([]);
    const findings = auditRestart({ events: t.events, ...roles(), since, leader, waveSize: 2 });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
  });
});

// The baseline: an operator (or a script) following the seed article line by line, one
// command at a time — one VM after another, each waited for by `kubectl get` every few
// seconds; one addon after another; `sleep 180` after powering on the leader; nodes
// pressed on and off by hand (the twin's power buttons) and checked every few seconds.
// It drives the same twin as fallow, through the twin's kubeconfig over HTTPS, on the
// same modelled clock. It is not a straw man: it does everything the article asks and
// nothing slower than the article says.
import { PvcAddons } from '../src/common/harvester.js';
import type { Clock } from '../src/common/clock.js';
import type { Twin } from '../src/twin/runtime.js';
import { NaiveKubectl, type Obj } from './naive-kubectl.js';

/** How often the operator re-runs `kubectl get` while waiting. */
export const POLL_S = 5;
/** Seed 5.1: "After about three minutes, continue the next step." */
export const LEADER_SLEEP_S = 180;
/** How long the operator waits for Rancher Manager before starting downstream VMs by hand (seed 5.5). */
export const DOWNSTREAM_PATIENCE_S = 20 * 60;

export interface NaiveResult {
  shutdownMs: number;
  restartMs: number;
  commands: string[];
}

const keyOf = (o: Obj) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const isDownstream = (o: Obj) => Boolean(o.metadata.labels?.['guestcluster.harvesterhci.io/name']) || o.metadata.labels?.['harvesterhci.io/creator'] === 'docker-machine-driver-harvester';

export async function runNaive(twin: Twin, clock: Clock): Promise<NaiveResult> {
  const k = NaiveKubectl.fromFile(twin.kubeconfigPath);
  const sleep = (s: number) => clock.sleep(s * 1000);
  /** Re-run a check every POLL_S seconds until it holds; errors (API down) count as "not yet". */
  const until = async (check: () => Promise<boolean>) => {
    for (;;) {
      if (await check().catch(() => false)) return;
      await sleep(POLL_S);
    }
  };
  const power = twin.power;
  const t0 = clock.now();

  // 1.1 support bundle; 1.2 write the network facts down.
  await bundle(k, 'naive-before', until);
  const nodes = await k.getNodes();
  const ipOf = new Map(nodes.map((n) => [n.metadata!.name!, n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '']));
  const role = (n: (typeof nodes)[number]) => (n.metadata?.labels?.['node-role.kubernetes.io/etcd'] === 'true' ? 'etcd' : 'worker');

  // 3.1 traditional VMs, one after another.
  const running = (await k.list('vmi', 'vmi')).filter((v) => !['Succeeded', 'Failed'].includes(String(v.status?.phase)));
  const vms = await k.list('vm', 'vm');
  const ran = vms.filter((vm) => running.some((v) => keyOf(v) === keyOf(vm)));
  const stopOne = async (vm: Obj) => {
    await k.virtctl('stop', vm.metadata.namespace ?? 'default', vm.metadata.name);
    await until(async () => (await k.getVmi(vm.metadata.namespace ?? 'default', vm.metadata.name)) === undefined);
  };
  for (const vm of ran.filter((v) => !isDownstream(v))) await stopOne(vm);

  // 3.2 disconnect Rancher, then the downstream machines one after another.
  const rancher = await k.getDeployment('cattle-system', 'rancher').catch(() => undefined);
  const scaleAvailable = rancher?.metadata?.annotations?.['management.cattle.io/scale-available'];
  const rancherReplicas = rancher?.spec?.replicas ?? 0;
  if (rancher) {
    await k.editScaleAvailable('cattle-system', 'rancher', '');
    await k.scale('cattle-system', 'rancher', 0);
    await until(async () => (await k.getPods('cattle-system')).every((p) => !p.metadata?.name?.startsWith('rancher-') || p.metadata.name.startsWith('rancher-webhook')));
    await k.scale('cattle-system', 'cattle-cluster-agent', 0);
    await until(async () => ((await k.getDeployment('cattle-system', 'cattle-cluster-agent')).status?.readyReplicas ?? 0) === 0);
  }
  for (const vm of ran.filter(isDownstream)) await stopOne(vm);

  // 3.3 disable the PVC addons, one after another.
  const addons = (await k.list('addon', 'addons.harvesterhci.io')).filter((a) => a.spec?.enabled === true && (PvcAddons as readonly string[]).includes(a.metadata.name));
  for (const a of addons) {
    await k.setAddon(a.metadata.namespace!, a.metadata.name, false);
    await until(async () => (await k.getAddon(a.metadata.namespace!, a.metadata.name)).status?.status === 'AddonDisabled');
  }
  // 3.5 every volume detached.
  await until(async () => (await k.list('volume', 'volume')).every((v) => v.status?.state === 'detached'));

  // 4.1 workers; 4.2 find the leader, the followers one by one; 4.3 the leader last.
  const off = (n: string) => until(async () => power.state(n) === 'off');
  const workers = nodes.filter((n) => role(n) === 'worker').map((n) => n.metadata!.name!);
  const etcdNodes = nodes.filter((n) => role(n) === 'etcd').map((n) => n.metadata!.name!);
  for (const w of workers) power.requestShutdown(w);
  for (const w of workers) await off(w);
  let leaderIp = await k.etcdLeaderIp(etcdNodes[0]!);
  const witness = new Set(nodes.filter((n) => n.metadata?.labels?.['node-role.harvesterhci.io/witness'] === 'true').map((n) => n.metadata!.name!));
  const nodeOfIp = (ip: string | undefined) => [...ipOf].find(([, v]) => v === ip)?.[0];
  if (witness.has(nodeOfIp(leaderIp) ?? '')) {
    await k.deletePod('kube-system', `etcd-${nodeOfIp(leaderIp)}`);
    await until(async () => {
      leaderIp = await k.etcdLeaderIp(etcdNodes.find((n) => !witness.has(n))!);
      return leaderIp !== undefined && !witness.has(nodeOfIp(leaderIp) ?? '');
    });
  }
  const leader = nodeOfIp(leaderIp) ?? etcdNodes[0]!;
  for (const f of etcdNodes.filter((n) => n !== leader)) {
    power.requestShutdown(f);
    await off(f);
  }
  power.requestShutdown(leader);
  await off(leader);
  const t1 = clock.now();

  // 5.1 the leader, three minutes, the other etcd nodes, all Ready; the VIP.
  power.powerOn(leader);
  await sleep(LEADER_SLEEP_S);
  for (const n of etcdNodes.filter((x) => x !== leader)) power.powerOn(n);
  const ready = (names: string[]) => until(async () => (await k.getNodes()).filter((n) => names.includes(n.metadata!.name!) && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === names.length);
  await ready(etcdNodes);
  await until(async () => Boolean((await k.getService('kube-system', 'ingress-expose')).status?.loadBalancer?.ingress?.[0]?.ip));
  // 5.2 workers, all Ready, then the basic components healthy.
  for (const w of workers) power.powerOn(w);
  await ready([...etcdNodes, ...workers]);
  const systemNs = ['cattle-fleet-local-system', 'cattle-fleet-system', 'cattle-system', 'harvester-system', 'kube-system', 'longhorn-system'];
  await until(async () => (await k.getPodsAll()).filter((p) => systemNs.includes(p.metadata?.namespace ?? '')).every((p) => p.status?.phase === 'Succeeded' || (p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && (p.status.containerStatuses ?? []).every((c) => c.ready))));
  // 5.3 addons back, one after another.
  for (const a of addons) {
    await k.setAddon(a.metadata.namespace!, a.metadata.name, true);
    await until(async () => (await k.getAddon(a.metadata.namespace!, a.metadata.name)).status?.status === 'AddonDeploySuccessful');
  }
  // 5.4 Rancher back.
  if (rancher) {
    await k.editScaleAvailable('cattle-system', 'rancher', scaleAvailable ?? '');
    await k.scale('cattle-system', 'rancher', Math.max(1, rancherReplicas));
    await until(async () => ((await k.getDeployment('cattle-system', 'rancher')).status?.readyReplicas ?? 0) > 0 && ((await k.getDeployment('cattle-system', 'cattle-cluster-agent')).status?.readyReplicas ?? 0) > 0);
  }
  // 5.5 traditional VMs one after another; then the downstream ones back (by Rancher, or by hand).
  const up = async (vm: Obj) => (await k.getVmi(vm.metadata.namespace ?? 'default', vm.metadata.name))?.status?.phase === 'Running';
  for (const vm of ran.filter((v) => !isDownstream(v))) {
    await k.virtctl('start', vm.metadata.namespace ?? 'default', vm.metadata.name);
    await until(() => up(vm));
  }
  const downstream = ran.filter(isDownstream);
  const giveUp = clock.now() + DOWNSTREAM_PATIENCE_S * 1000;
  await until(async () => clock.now() >= giveUp || (await Promise.all(downstream.map(up))).every(Boolean));
  for (const vm of downstream) {
    if (await up(vm).catch(() => false)) continue;
    await k.virtctl('start', vm.metadata.namespace ?? 'default', vm.metadata.name);
    await until(() => up(vm));
  }
  // 5.6 a new bundle.
  await bundle(k, 'naive-after', until);
  return { shutdownMs: t1 - t0, restartMs: clock.now() - t1, commands: k.commands };
}

async function bundle(k: NaiveKubectl, name: string, until: (c: () => Promise<boolean>) => Promise<void>): Promise<void> {
  await k.createBundle(name);
  await until(async () => (await k.getBundle(name)).status?.state === 'ready');
  await k.downloadBundle(name);
}

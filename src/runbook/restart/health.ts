// Seed 5.1 "Check the VIP" and 5.2 "Healthy Check": ingress-expose has the recorded VIP;
// the system pods of the seed's namespaces are Running and Ready, none Failed or in
// CrashLoopBackOff past the timeout; Longhorn healthy before anything needs storage; no
// volume faulted that this restart needs; when a storage network is set, the setting
// configured and every Longhorn instance-manager pod carrying it ("Storage Network"). A
// timeout stops the run naming each pod (state, restart count, node), volume (PVC) and the
// storage network's gap with the seed's advice, not a bare "timed out".
import { NeedsOperatorError } from '../../common/errors.js';
import { Namespaces, StorageNetwork, SystemNamespaces, Vip } from '../../common/harvester.js';
import type { LonghornVolumeObject, PodObject, ServiceObject, SettingObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import { deleteLeftoversCommand } from '../../report/pods.js';
import { formatDuration, WaitTimeoutError } from '../../engine/wait.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact } from '../facts.js';
import { multiCacheSubscribe, minutes } from '../lib/waits.js';
import {
  describeFaultedVolume,
  describePodProblem,
  describeStorageNetworkProblem,
  faultedVolumes,
  storageNeeds,
  storageNetworkProblem,
  systemPodFindings,
  type FaultedVolume,
  type PodProblem,
  type StorageNeeds,
  type StorageNetworkProblem,
} from './health-checks.js';

type Ctx = StepContext<RunbookEnv>;

const recordedVip = (ctx: Ctx) => {
  const v = requireFact(ctx.facts, Facts.network, 'the VIP check').vip;
  return v.externalIp ?? v.configured;
};

export const checkVip: Step<RunbookEnv> = {
  id: 'restart.check-vip',
  title: 'Check the VIP',
  seed: '5.1',
  phase: 'Restart control plane',
  destructive: false,
  waitsFor: `${Vip.service.namespace}/${Vip.service.name} EXTERNAL-IP equal to the recorded VIP`,
  risks: ['the VIP does not come back, or comes back different: the run stops naming both addresses'],
  rbac: [{ group: '', resource: 'services', verbs: ['get', 'list', 'watch'], namespace: Vip.service.namespace }],
  async skip(ctx) {
    return recordedVip(ctx) ? undefined : 'no VIP was recorded at shutdown';
  },
  async check() {
    return { done: false }; // a check only: always observe
  },
  async act() {
    // Nothing to change: the wait is the check.
  },
  wait: (ctx) => ({
    name: 'VIP back',
    timeoutMs: minutes(10),
    pollMs: 15_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<ServiceObject>('Service', { namespace: Vip.service.namespace });
      await cache.synced();
      const svc = cache.get(Vip.service.namespace, Vip.service.name);
      const ip = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
      const want = recordedVip(ctx);
      if (!ip) return { state: 'waiting', detail: `waiting for ${Vip.service.name} to get its EXTERNAL-IP ${want}` };
      if (ip !== want) {
        return { state: 'failed', reason: `${Vip.service.namespace}/${Vip.service.name} EXTERNAL-IP is ${ip}, recorded VIP was ${want}`, hint: 'Check the harvester-system/vip ConfigMap and kube-vip, then `fallow resume`' };
      }
      return { state: 'done', detail: `VIP ${ip}` };
    },
    subscribe: async (c, wake) => c.env.cluster.cache('Service', { namespace: Vip.service.namespace }).onChange(wake),
  }),
};

const systemCaches = SystemNamespaces.map((ns) => ({ kind: 'Pod' as const, opts: { namespace: ns } }));
const volumeCache = { kind: 'LonghornVolume' as const, opts: { namespace: Namespaces.longhornSystem } };
const settingCache = { kind: 'Setting' as const, opts: {} };

interface Findings {
  pods: PodProblem[];
  /** Faulted volumes something this restart starts needs (the others are only warned). */
  volumes: FaultedVolume[];
  /** The storage network set but not configured, or not on every instance-manager pod. */
  storageNetwork?: StorageNetworkProblem;
}

/** What this restart brings back that needs storage (design: stop only for those). */
async function needsOf(c: Ctx): Promise<StorageNeeds> {
  const vms = c.env.cluster.cache<VirtualMachineObject>('VirtualMachine');
  await vms.synced();
  const addons = readFact(c.facts, Facts.addons)?.toDisable ?? [];
  const scaled = readFact(c.facts, Facts.workloads)?.scaled ?? [];
  return storageNeeds(readFact(c.facts, Facts.vms) ?? [], vms.list(), [...addons, ...scaled].map((w) => w.namespace));
}

interface Look {
  findings: Findings;
  spare: FaultedVolume[];
  degraded: string[];
  leftovers: PodProblem[];
}

async function look(c: Ctx): Promise<Look> {
  const pods: PodProblem[] = [];
  const leftovers: PodProblem[] = [];
  let longhornPods: PodObject[] = [];
  for (const { opts } of systemCaches) {
    const cache = c.env.cluster.cache<PodObject>('Pod', opts);
    await cache.synced();
    const list = cache.list();
    if (opts.namespace === Namespaces.longhornSystem) longhornPods = list;
    const found = systemPodFindings(list);
    pods.push(...found.problems);
    leftovers.push(...found.leftovers);
  }
  const settings = c.env.cluster.cache<SettingObject>(settingCache.kind, settingCache.opts);
  await settings.synced();
  const storageNetwork = storageNetworkProblem(settings.get(undefined, StorageNetwork.setting), longhornPods);
  const vols = c.env.cluster.cache<LonghornVolumeObject>(volumeCache.kind, volumeCache.opts);
  await vols.synced();
  const faulted = faultedVolumes(vols.list(), await needsOf(c));
  const degraded = vols.list().filter((v) => v.status?.robustness === 'degraded').map((v) => v.metadata.name);
  return {
    findings: { pods, volumes: faulted.filter((v) => v.neededBy.length), ...(storageNetwork ? { storageNetwork } : {}) },
    spare: faulted.filter((v) => !v.neededBy.length),
    degraded,
    leftovers,
  };
}

/**
 * One warning for the Failed pods left over from before the restart, with the command that
 * removes them. fallow does not delete them itself: it is the operator's cluster, a Failed
 * pod keeps the reason and logs of what went wrong (the operator may want them), and
 * deleting pods is beyond what the seed does.
 */
export function leftoverWarning(leftovers: readonly PodProblem[]): string {
  const byNamespace = new Map<string, string[]>();
  for (const p of leftovers) {
    const [ns = '', name = ''] = p.pod.split('/');
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), name]);
  }
  const commands = [...byNamespace].map(([ns, names]) => `\`${deleteLeftoversCommand(ns, names)}\``);
  return (
    `${count(leftovers.length, 'Failed pod')} left over from before the restart, each replaced since by its Deployment, DaemonSet or Job (not waited on): ` +
    `${capList(leftovers.map(describePodProblem))}; read what you need from them (reason, logs), then delete them: ${commands.join(', ')}`
  );
}

const inLonghorn = (p: PodProblem) => p.pod.startsWith(`${Namespaces.longhornSystem}/`);

/** The stop once the timeout has passed: every object named, with the seed's advice. */
export function healthStop(f: Findings, timeoutMs: number): NeedsOperatorError {
  const failing = f.pods.filter((p) => p.failing);
  const slow = f.pods.filter((p) => !p.failing);
  const parts = [
    ...(failing.length ? [`${count(failing.length, 'system pod')} failing: ${capList(failing.map(describePodProblem))}`] : []),
    ...(slow.length ? [`${count(slow.length, 'system pod')} not Running/Ready: ${capList(slow.map(describePodProblem))}`] : []),
    ...(f.volumes.length ? [`${count(f.volumes.length, 'Longhorn volume')} faulted: ${capList(f.volumes.map(describeFaultedVolume))}`] : []),
    ...(f.storageNetwork ? [`storage network not in place: ${describeStorageNetworkProblem(f.storageNetwork)}`] : []),
  ];
  const first = failing[0] ?? slow[0];
  const [ns, name] = first ? first.pod.split('/') : [];
  const advice = [
    ...(first ? [`Troubleshoot before going on (seed 5.2): \`kubectl -n ${ns} describe pod ${name}\` and \`kubectl -n ${ns} logs ${name} --all-containers --previous\` show why it ${first.failing ? 'fails' : 'is not ready'}`] : []),
    ...(f.pods.some(inLonghorn) || f.volumes.length || f.storageNetwork ? ['do not start anything that needs storage until Longhorn is healthy'] : []),
    ...(f.storageNetwork ? [storageNetworkAdvice(f.storageNetwork)] : []),
    ...(f.volumes.length ? ['recover each faulted volume in the Longhorn UI (salvage a replica) or restore it from a backup'] : []),
    'then `fallow resume` (the gate starts over with a fresh timeout)',
  ];
  const hint = advice.join('; ');
  return new NeedsOperatorError(`Health gate not passed after ${formatDuration(timeoutMs)}: ${parts.join('; ') || 'no finding recorded'}`, hint.charAt(0).toUpperCase() + hint.slice(1));
}

/** The seed's "Storage Network" check, with what to look at and how to recover. */
function storageNetworkAdvice(p: StorageNetworkProblem): string {
  const [ns, name] = p.nad ? p.nad.split('/') : [StorageNetwork.nadNamespace, `${StorageNetwork.nadPrefix}…`];
  return [
    `check the storage network (seed 5.2 "Storage Network"): \`kubectl get settings.harvesterhci.io ${StorageNetwork.setting} -o yaml\` must show condition ${StorageNetwork.condition} True (${StorageNetwork.completed})`,
    `each pod of \`kubectl -n ${Namespaces.longhornSystem} get pods -l ${StorageNetwork.instanceManagerLabel.key}=${StorageNetwork.instanceManagerLabel.value} -o yaml\` must list ${ns}/${name} on ${StorageNetwork.interface} with an address of the setting's range in its ${StorageNetwork.networkStatusAnnotation} annotation`,
    `if not, check the cluster network's VLAN config and uplink on those nodes, then delete the instance-manager pods without it so Longhorn recreates them (no VM runs yet, so no volume is attached to them)`,
  ].join('; ');
}

export const healthGates: Step<RunbookEnv> = {
  id: 'restart.health-gates',
  title: 'Healthy check of the basic components',
  seed: '5.2',
  phase: 'Health gates',
  destructive: false,
  waitsFor: "every pod of the seed's system namespaces Running and Ready, Longhorn healthy, the storage network (when set) on every instance-manager pod, no volume faulted that the restart needs",
  risks: [
    'a pod in CrashLoopBackOff or Failed past the timeout stops the run naming it, its state and restart count (default 15 min; `fallow restart --health-timeout 30m` gives slow hardware longer)',
    'a Failed pod left over from before the restart (a graceful node shutdown\'s "Terminated", an eviction, an admission rejection) is warned with the kubectl command that removes it, not waited on, when its Deployment or DaemonSet has a Running and Ready pod created since (a DaemonSet: on the same node) or its Job a Succeeded one; a bare, static or StatefulSet pod that is Failed still stops the run, and so does a Deployment whose new pods fail too',
    'a faulted Longhorn volume that a VM or workload of this restart needs stops the run before anything needing storage starts; other faulted volumes and degraded ones are warned',
    'a storage network that is set but not in place stops the run at the timeout naming the setting and the pods: the storage-network setting (a JSON value {"vlan","clusterNetwork","range","exclude"}; skipped when empty) must have its condition `configured` True (reason Completed), and every Running instance-manager pod (longhorn-system, label longhorn.io/component=instance-manager) must list the NAD named in the setting\'s annotation storage-network.settings.harvesterhci.io/net-attach-def (harvester-system/storagenetwork-<random>) on interface lhnet1 with an address in its k8s.v1.cni.cncf.io/network-status annotation',
  ],
  rbac: [
    { group: '', resource: 'pods', verbs: ['list', 'watch'] },
    { group: 'longhorn.io', resource: 'volumes', verbs: ['list', 'watch'], namespace: Namespaces.longhornSystem },
    { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['list', 'watch'] },
    { group: 'harvesterhci.io', resource: 'settings', verbs: ['get', 'list', 'watch'] },
  ],
  async check() {
    return { done: false };
  },
  async act(ctx) {
    let last: Findings = { pods: [], volumes: [] };
    try {
      await ctx.waitFor({
        name: 'system pods healthy',
        timeoutMs: ctx.env.options.healthTimeoutMs,
        pollMs: 30_000,
        async evaluate(c): Promise<WaitResult> {
          const { findings, spare, degraded, leftovers } = await look(c);
          last = findings;
          // Longhorn first (the seed's note): until its pods run, volume robustness is stale,
          // and nothing that needs storage may start.
          const longhorn = findings.pods.filter(inLonghorn);
          if (longhorn.length) return { state: 'waiting', detail: `waiting for ${count(longhorn.length, 'Longhorn pod')}: ${capList(longhorn.map(describePodProblem))}` };
          // Replicas sync over the storage network: an instance manager without it cannot
          // rebuild or serve them, so it holds the gate before anything needs storage.
          if (findings.storageNetwork) return { state: 'waiting', detail: `waiting for the storage network: ${describeStorageNetworkProblem(findings.storageNetwork)}` };
          // A faulted volume may still be auto-salvaged by Longhorn right after the restart,
          // so it holds the gate like a crash-looping pod and stops the run at the timeout.
          if (findings.volumes.length) return { state: 'waiting', detail: `waiting for ${count(findings.volumes.length, 'faulted Longhorn volume')} to recover: ${capList(findings.volumes.map(describeFaultedVolume))}` };
          if (findings.pods.length) return { state: 'waiting', detail: `waiting for ${count(findings.pods.length, 'system pod')}: ${capList(findings.pods.map(describePodProblem))}` };
          // A faulted volume nothing of this restart needs (a VM that was off, an orphan)
          // does not stop the restart: holding every VM down for data nobody was using would
          // cost more than it protects. The operator is told to recover it before using it.
          if (spare.length) await c.warn(`${count(spare.length, 'Longhorn volume')} faulted that this restart does not need: ${capList(spare.map(describeFaultedVolume))}; recover them in the Longhorn UI before starting what uses them`);
          if (leftovers.length) await c.warn(leftoverWarning(leftovers));
          if (degraded.length) await c.warn(`Longhorn volumes degraded (rebuilding is normal after a restart): ${capList(degraded)}`);
          return { state: 'done' };
        },
        subscribe: multiCacheSubscribe([...systemCaches, volumeCache, settingCache]),
      });
    } catch (err) {
      if (err instanceof WaitTimeoutError) throw healthStop(last, ctx.env.options.healthTimeoutMs);
      throw err;
    }
  },
};

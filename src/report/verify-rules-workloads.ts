// The verification rules for what runs on the cluster: addons (seed 5.3), the Rancher
// connection (5.4), VMs (5.5), Longhorn volumes and the system pods (5.2 health check).
import { capList } from '../common/list.js';
import { deleteLeftoversCommand } from './pods.js';
import type { SnapshotDeploymentScale, SnapshotPodNamespace } from './snapshot-types.js';
import type { Difference, VerifyRule } from './verify.js';
import { difference, pairBy } from './verify-helpers.js';

const addons: VerifyRule = {
  id: 'addons',
  title: 'the same addons are enabled, and each enabled addon is AddonDeploySuccessful',
  compare(before, after) {
    const out: Difference[] = [];
    for (const { key, b, a } of pairBy(before.addons, after.addons, (x) => `${x.namespace}/${x.name}`)) {
      const p = `addons/${key}`;
      if (b && !a) {
        if (b.enabled) out.push(difference('addons', 'error', `${p}/enabled`, true, null, `Addon ${key} was enabled before the shutdown and is gone. Re-create and enable it.`));
        continue;
      }
      if (!a) continue;
      const wasEnabled = b?.enabled ?? false;
      if (a.enabled !== wasEnabled) {
        out.push(difference('addons', 'error', `${p}/enabled`, wasEnabled, a.enabled,
          wasEnabled
            ? `Addon ${key} was enabled before the shutdown and is still disabled (seed 5.3). Enable it and wait for AddonDeploySuccessful.`
            : `Addon ${key} is enabled but was disabled before the shutdown. Disable it unless someone enabled it on purpose.`));
      }
      if (!a.enabled || a.status === 'AddonDeploySuccessful') continue;
      const failed = a.failure !== null || a.status === 'AddonDeployFailed';
      out.push(difference('addons', failed ? 'error' : 'warning', `${p}/status`, b?.status ?? null, a.status,
        failed
          ? `Addon ${key} failed to deploy${a.failure ? `: ${a.failure}` : ''}. Check its Helm release and pods, then disable and enable it again.`
          : `Addon ${key} is enabled but not yet AddonDeploySuccessful (${a.status || 'no status'}). Wait, then check its pods.`));
    }
    return out;
  },
};

function compareScale(name: string, b: SnapshotDeploymentScale | null, a: SnapshotDeploymentScale | null): Difference[] {
  if (!b) return [];
  const p = `rancher/${name}`;
  if (!a) {
    return [difference('rancher', 'error', p, b.replicas, null, `Deployment cattle-system/${name} is missing after the restart. Check the embedded Rancher (seed 5.4).`)];
  }
  const out: Difference[] = [];
  if (a.scaleAvailable !== b.scaleAvailable) {
    out.push(difference('rancher', 'error', `${p}/scaleAvailable`, b.scaleAvailable, a.scaleAvailable,
      `Annotation management.cattle.io/scale-available on deployment cattle-system/${name} is not the recorded value (seed 5.4 step 1). Set it back, or Rancher will not keep the deployment scaled.`));
  }
  if (a.replicas !== b.replicas) {
    out.push(difference('rancher', a.replicas < b.replicas ? 'error' : 'warning', `${p}/replicas`, b.replicas, a.replicas,
      a.replicas < b.replicas
        ? `Deployment cattle-system/${name} has fewer replicas than before the shutdown (seed 5.4 step 2). Scale it back to ${b.replicas}.`
        : `Deployment cattle-system/${name} has more replicas than before the shutdown.`));
  }
  if (a.replicas > 0 && a.readyReplicas < a.replicas) {
    out.push(difference('rancher', 'warning', `${p}/readyReplicas`, b.readyReplicas, a.readyReplicas,
      `Deployment cattle-system/${name} has ${a.readyReplicas}/${a.replicas} replicas ready. Wait, then check its pods.`));
  }
  return out;
}

const rancher: VerifyRule = {
  id: 'rancher',
  title: 'rancher and cattle-cluster-agent: scale-available and replicas restored',
  compare(before, after) {
    return [
      ...compareScale('rancher', before.rancher.rancher, after.rancher.rancher),
      ...compareScale('cattle-cluster-agent', before.rancher.agent, after.rancher.agent),
    ];
  },
};

const vms: VerifyRule = {
  id: 'vms',
  title: 'every VM has its runStrategy and is running (or stopped) as before',
  compare(before, after) {
    const out: Difference[] = [];
    for (const { key, b, a } of pairBy(before.vms, after.vms, (v) => `${v.namespace}/${v.name}`)) {
      const p = `vms/${key}`;
      if (b && !a) {
        // Rancher may replace a node-driver machine with a new VM (auto-replace): not a loss.
        out.push(b.kind === 'downstream'
          ? difference('vms', 'warning', p, b.runStrategy ?? b.running, null,
            `VM ${key} of guest cluster ${b.guestCluster ?? '(unknown)'} is gone; Rancher may have replaced the machine. Check the guest cluster in Rancher.`)
          : difference('vms', 'error', p, b.runStrategy ?? b.running, null, `VM ${key} is missing after the restart. Check whether it was deleted; restore it from a backup.`));
        continue;
      }
      if (!b || !a) {
        if (a) out.push(difference('vms', 'warning', p, null, a.runStrategy ?? a.running, `VM ${key} did not exist before the shutdown.`));
        continue;
      }
      if (a.runStrategy !== b.runStrategy || a.running !== b.running) {
        out.push(difference('vms', 'error', `${p}/runStrategy`, b.runStrategy ?? b.running, a.runStrategy ?? a.running,
          `VM ${key} has another run strategy than before the shutdown. Set spec.runStrategy back to ${b.runStrategy ?? `running: ${String(b.running)}`}.`));
      }
      if (a.runningNow === b.runningNow) continue;
      const downstream = b.kind === 'downstream';
      const cluster = b.guestCluster ? ` of guest cluster ${b.guestCluster}` : '';
      if (b.runningNow) {
        out.push(difference('vms', downstream ? 'warning' : 'error', `${p}/running`, true, false,
          downstream
            ? `VM ${key}${cluster} is not running yet; Rancher starts node-driver VMs itself once reconnected (seed 5.5.2). If it does not, start it from the Harvester UI.`
            : `VM ${key} was running before the shutdown and is ${a.vmiPhase ?? a.printableStatus ?? 'stopped'} now. Start it (seed 5.5.1).`));
      } else {
        out.push(difference('vms', downstream ? 'warning' : 'error', `${p}/running`, false, true,
          `VM ${key}${cluster} is running but was stopped before the shutdown.${downstream ? ' Rancher may have started it.' : ' Stop it unless someone started it on purpose.'}`));
      }
    }
    return out;
  },
};

const volumes: VerifyRule = {
  id: 'volumes',
  title: 'no Longhorn volume lost or faulted (degraded is a warning while replicas rebuild)',
  compare(before, after) {
    const out: Difference[] = [];
    for (const { key, b, a } of pairBy(before.volumes, after.volumes, (v) => v.name)) {
      const p = `volumes/${key}`;
      const what = `Longhorn volume ${key}${(a ?? b)?.pvc ? ` (PVC ${(a ?? b)?.pvc})` : ''}`;
      if (b && !a) {
        out.push(difference('volumes', 'error', p, b.state, null, `${what} is missing after the restart. Check Longhorn before starting workloads that use it.`));
        continue;
      }
      if (!a) continue;
      if (a.robustness === 'faulted') {
        out.push(difference('volumes', 'error', `${p}/robustness`, b?.robustness ?? null, a.robustness,
          `${what} is faulted: no healthy replica. Do not start its workload; salvage it in the Longhorn UI.`));
      } else if (a.robustness === 'degraded') {
        out.push(difference('volumes', 'warning', `${p}/robustness`, b?.robustness ?? null, a.robustness,
          `${what} is degraded: replicas are rebuilding, normal for a while after a restart. Check again later.`));
      } else if (a.robustness === 'unknown' && a.state === 'attached') {
        out.push(difference('volumes', 'warning', `${p}/robustness`, b?.robustness ?? null, a.robustness,
          `${what} is attached but its robustness is unknown. Check it in the Longhorn UI.`));
      }
    }
    return out;
  },
};

const systemPods: VerifyRule = {
  id: 'system-pods',
  title: 'system pods Ready (seed 5.2 "Basic Components")',
  compare(before, after) {
    const out: Difference[] = [];
    for (const { key, b, a } of pairBy(before.systemPods, after.systemPods, (n) => n.namespace)) {
      if (!a) continue;
      if (b && b.total > 0 && a.total === 0) {
        out.push(difference('system-pods', 'error', `systemPods/${key}`, `${b.ready}/${b.total}`, '0/0',
          `Namespace ${key} has no pods after the restart. Check that its deployments and daemonsets exist and the nodes are Ready.`));
      }
      const hadProblem = new Set((b?.problems ?? []).map((x) => x.workload));
      for (const pod of a.problems) {
        const pre = hadProblem.has(pod.workload);
        out.push(difference('system-pods', pre ? 'warning' : 'error', `systemPods/${key}/${pod.workload}`, pre ? 'not ready' : 'ready', pod.status,
          `Pod ${key}/${pod.name} is ${pod.status} (${pod.ready} ready, ${pod.restarts} restarts)${pre ? '; it was already not ready before the shutdown' : ''}. ` +
            (key === 'longhorn-system' ? 'Fix Longhorn before starting VMs (seed 5.2 note).' : 'Check its logs and events.')));
      }
      const leftover = newLeftovers(key, b, a);
      if (leftover) out.push(leftover);
    }
    return out;
  },
};

/**
 * Failed pods their controller has replaced since are not a difference in what runs: a
 * warning when the restart left new ones (a node shutdown's "Terminated" pods, say), nothing
 * when the same ones were there before. The operator removes them; fallow does not.
 */
function newLeftovers(namespace: string, b: SnapshotPodNamespace | undefined, a: SnapshotPodNamespace): Difference | undefined {
  const before = new Set((b?.leftovers ?? []).map((p) => p.name));
  const fresh = (a.leftovers ?? []).filter((p) => !before.has(p.name));
  if (!fresh.length) return undefined;
  return difference('system-pods', 'warning', `systemPods/${namespace}/leftovers`, before.size, (a.leftovers ?? []).length,
    `${fresh.length === 1 ? '1 Failed pod' : `${fresh.length} Failed pods`} left over in ${namespace} (${capList(fresh.map((p) => `${p.name} ${p.status}${p.node ? ` on ${p.node}` : ''}`), 5)}), ` +
      'each replaced since by its Deployment, DaemonSet or Job: the workloads run as before. ' +
      `Read what you need from them (reason, logs), then delete them: \`${deleteLeftoversCommand(namespace, fresh.map((p) => p.name))}\`.`);
}

export const workloadRules: readonly VerifyRule[] = [addons, rancher, vms, volumes, systemPods];

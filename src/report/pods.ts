// The seed's "Basic Components" health check (5.2) as data: per system namespace, how many
// pods are Ready, and which are not with the STATUS kubectl would print. Problem pods are
// keyed by their workload, not their name, because pod names change across a restart.
import type { PodObject } from '../common/harvester-types.js';
import type { SnapshotPodNamespace, SnapshotPodProblem } from './snapshot-types.js';

export function summarizePods(namespace: string, pods: readonly PodObject[]): SnapshotPodNamespace {
  let ready = 0;
  let total = 0;
  let completed = 0;
  const problems: SnapshotPodProblem[] = [];
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded') {
      completed++;
      continue;
    }
    total++;
    if (isPodReady(pod)) {
      ready++;
      continue;
    }
    const containers = pod.status?.containerStatuses ?? [];
    problems.push({
      name: pod.metadata.name,
      workload: workloadOf(pod),
      status: podStatus(pod),
      ready: `${containers.filter((c) => c.ready).length}/${Math.max(containers.length, pod.spec?.containers?.length ?? 0)}`,
      restarts: containers.reduce((n, c) => n + (c.restartCount ?? 0), 0),
      node: pod.spec?.nodeName ?? null,
    });
  }
  problems.sort((a, b) => a.workload.localeCompare(b.workload) || a.name.localeCompare(b.name));
  return { namespace, ready, total, completed, problems };
}

export function isPodReady(pod: PodObject): boolean {
  if (pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  const cond = pod.status.conditions?.find((c) => c.type === 'Ready');
  if (cond) return cond.status === 'True';
  const cs = pod.status.containerStatuses ?? [];
  return cs.length > 0 && cs.every((c) => c.ready);
}

/** kubectl's STATUS column, in its order of precedence (reduced to the fields we read). */
export function podStatus(pod: PodObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const c of pod.status?.containerStatuses ?? []) {
    const reason = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (!c.ready && reason) return reason;
  }
  const phase = pod.status?.phase ?? 'Unknown';
  return phase === 'Running' ? 'NotReady' : phase;
}

/**
 * A name that survives the pod: Deployment/x for ReplicaSet x-<hash>, DaemonSet/x,
 * StatefulSet/x, Job/x; static pods (owned by their Node) and bare pods keep Pod/<name>.
 */
export function workloadOf(pod: PodObject): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  if (!owner || owner.kind === 'Node') return `Pod/${pod.metadata.name}`;
  if (owner.kind === 'ReplicaSet') return `Deployment/${owner.name.replace(/-[a-z0-9]{6,10}$/, '')}`;
  return `${owner.kind}/${owner.name}`;
}

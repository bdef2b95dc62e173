// The seed's "Basic Components" health check (5.2) as data: per system namespace, how many
// pods are Ready, and which are not with the STATUS kubectl would print. Problem pods are
// keyed by their workload, not their name, because pod names change across a restart.
// Failed pods their controller has replaced since (leftovers of a node shutdown, eviction
// or admission rejection) are kept apart: they are history, not a workload that fails.
import type { PodObject } from '../common/harvester-types.js';
import type { SnapshotPodNamespace, SnapshotPodProblem } from './snapshot-types.js';

export function summarizePods(namespace: string, pods: readonly PodObject[]): SnapshotPodNamespace {
  let ready = 0;
  let total = 0;
  let completed = 0;
  const problems: SnapshotPodProblem[] = [];
  const leftovers: SnapshotPodProblem[] = [];
  const superseded = supersededFailedPods(pods);
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded') {
      completed++;
      continue;
    }
    if (superseded.has(pod)) {
      leftovers.push(problemOf(pod));
      continue;
    }
    total++;
    if (isPodReady(pod)) {
      ready++;
      continue;
    }
    problems.push(problemOf(pod));
  }
  const byWorkload = (a: SnapshotPodProblem, b: SnapshotPodProblem) => a.workload.localeCompare(b.workload) || a.name.localeCompare(b.name);
  problems.sort(byWorkload);
  leftovers.sort(byWorkload);
  return { namespace, ready, total, completed, problems, ...(leftovers.length ? { leftovers } : {}) };
}

function problemOf(pod: PodObject): SnapshotPodProblem {
  const containers = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata.name,
    workload: workloadOf(pod),
    status: podStatus(pod),
    ready: `${containers.filter((c) => c.ready).length}/${Math.max(containers.length, pod.spec?.containers?.length ?? 0)}`,
    restarts: containers.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    node: pod.spec?.nodeName ?? null,
  };
}

/**
 * The Failed pods of `pods` (one namespace) that their controller has replaced since: a
 * Deployment's (any of its ReplicaSets, so an old revision's pod counts) or a DaemonSet's on
 * the same node with a Running and Ready pod created after it, a Job's with a Succeeded pod
 * created after it. Only a pod created later is evidence: a sibling that was Ready all along
 * says nothing of the replica this one was. Never superseded: bare pods and mirror pods
 * (nothing replaces them), StatefulSet pods (the controller deletes a Failed one and
 * recreates it under the same name, so one still there has not been replaced), and any pod
 * without a creationTimestamp to compare (fail closed). A Deployment whose new pods fail too
 * has no Ready pod created later, so its Failed pods stay failures.
 */
export function supersededFailedPods(pods: readonly PodObject[]): Set<PodObject> {
  const out = new Set<PodObject>();
  for (const p of pods) {
    if (p.status?.phase !== 'Failed' || p.metadata.deletionTimestamp) continue;
    const served = servedBy(p);
    if (!served) continue;
    const born = Date.parse(p.metadata.creationTimestamp ?? '');
    if (pods.some((s) => s !== p && Date.parse(s.metadata.creationTimestamp ?? '') > born && served(s))) out.add(p);
  }
  return out;
}

/**
 * The kubectl command that removes leftovers of one namespace: by name, or past a handful by
 * phase (every Failed pod of the namespace, which is what the names are once nothing else fails).
 */
export function deleteLeftoversCommand(namespace: string, names: readonly string[]): string {
  return names.length <= 5
    ? `kubectl -n ${namespace} delete pod ${names.join(' ')}`
    : `kubectl -n ${namespace} delete pods --field-selector=status.phase==Failed`;
}

/** What a later pod must be to show that `p`'s controller is served again; undefined: nothing can. */
function servedBy(p: PodObject): ((s: PodObject) => boolean) | undefined {
  const owner = p.metadata.ownerReferences?.find((o) => o.controller);
  if (!owner) return undefined;
  const sameController = (s: PodObject) => s.metadata.ownerReferences?.some((o) => o.controller && o.kind === owner.kind && o.name === owner.name) ?? false;
  switch (owner.kind) {
    case 'ReplicaSet': {
      const workload = workloadOf(p);
      return (s) => s.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'ReplicaSet') === true && workloadOf(s) === workload && isPodReady(s);
    }
    case 'DaemonSet':
      return (s) => sameController(s) && s.spec?.nodeName === p.spec?.nodeName && isPodReady(s);
    case 'Job':
      return (s) => sameController(s) && s.status?.phase === 'Succeeded';
    default:
      return undefined;
  }
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
  // A Failed pod's reason (Evicted, Terminated by a node shutdown, OutOfcpu…) before its phase, as kubectl.
  const reason = (pod.status as { reason?: string } | undefined)?.reason;
  if (reason) return reason;
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

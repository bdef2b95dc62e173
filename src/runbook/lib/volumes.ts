// Longhorn volume facts for 3.3–3.5 and the restart's health gate: who uses a volume
// (from its kubernetesStatus), and whether it is detached.
import type { LonghornVolumeObject } from '../../common/harvester-types.js';

export function usersOf(v: LonghornVolumeObject): string {
  const ks = v.status?.kubernetesStatus;
  const pods = (ks?.workloadsStatus ?? []).map((w) => (w.workloadName ? `${w.workloadType ?? 'workload'} ${w.workloadName} (pod ${w.podName})` : `pod ${w.podName}`));
  const pvc = ks?.pvcName ? `PVC ${ks.namespace ?? '?'}/${ks.pvcName}` : 'no PVC';
  return `${pvc}${pods.length ? `, used by ${pods.join(', ')}` : ''}`;
}

export function isDetached(v: LonghornVolumeObject): boolean {
  return v.status?.state === 'detached';
}

export function describeVolume(v: LonghornVolumeObject): string {
  const node = v.status?.currentNodeID ? ` on ${v.status.currentNodeID}` : '';
  return `${v.metadata.name} ${v.status?.state ?? 'unknown'}${node} (${usersOf(v)})`;
}

/** Namespaces that have a Longhorn volume attached right now. */
export function namespacesWithAttachedVolumes(vols: LonghornVolumeObject[]): Set<string> {
  const out = new Set<string>();
  for (const v of vols) {
    const ns = v.status?.kubernetesStatus?.namespace;
    if (ns && !isDetached(v)) out.add(ns);
  }
  return out;
}

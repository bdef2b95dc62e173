// Pods from a workload's pod template, named as Kubernetes names them: ReplicaSet pods
// "<rs>-<5 chars>", DaemonSet pods "<ds>-<5 chars>", StatefulSet pods "<sts>-<ordinal>";
// ReplicaSets "<deployment>-<pod-template-hash>".
import type { PodObject } from '../../../common/harvester-types.js';
import type { KObject } from '../../store/types.js';
import type { PodSpecLike } from '../util.js';
import { ownerRef } from '../util.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: PodSpecLike & Record<string, unknown>;
}

export interface WorkloadLike extends KObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    volumeClaimTemplates?: { metadata: { name: string }; spec?: Record<string, unknown> }[];
    serviceName?: string;
  };
  status?: Record<string, unknown>;
}

export function podFromTemplate(owner: KObject, template: PodTemplate | undefined, name: string, extra: { labels?: Record<string, string>; spec?: Partial<PodSpecLike> } = {}): PodObject {
  const spec = { ...structuredClone(template?.spec ?? {}), ...extra.spec } as PodSpecLike & Record<string, unknown>;
  if (!spec.containers?.length) spec.containers = [{ name: owner.metadata.name }];
  spec.terminationGracePeriodSeconds ??= 30;
  spec.restartPolicy ??= 'Always';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace!,
      labels: { ...(template?.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: spec as PodObject['spec'],
    status: { phase: 'Pending' },
  };
}

/** pod-template-hash: 10 characters of the generateName alphabet derived from the template. */
export function templateHash(template: unknown): string {
  const s = JSON.stringify(template ?? {});
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822507) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  let a = h1;
  let b = h2;
  for (let i = 0; i < 10; i++) {
    const src = i < 5 ? a : b;
    out += alphabet[src % alphabet.length];
    if (i < 5) a = Math.floor(a / alphabet.length) + 7919 * (i + 1);
    else b = Math.floor(b / alphabet.length) + 104729 * (i + 1);
  }
  return out;
}

// The field labels kube-apiserver accepts in fieldSelector, per kind; anything else is a
// 400 "field label not supported", so a tool that leans on an unsupported selector fails
// on the twin exactly as it would on a real cluster. Custom resources only support
// metadata.name and metadata.namespace.
import { StatusError } from '../store/errors.js';
import type { ResourceType } from '../store/types.js';
import { isCrd } from './discovery.js';

const common = ['metadata.name', 'metadata.namespace'];

const byKind: Record<string, string[]> = {
  'v1/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  'v1/Node': ['spec.unschedulable'],
  'v1/Namespace': ['status.phase'],
  'v1/Secret': ['type'],
  'v1/Service': ['spec.clusterIP', 'spec.type'],
  'v1/PersistentVolumeClaim': [],
  'v1/PersistentVolume': [],
  'v1/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'apps/v1/ReplicaSet': ['status.replicas'],
};

/** Throws 400 when the selector names a field the kind does not support. */
export function checkFieldSelector(t: ResourceType, selector: string | null | undefined): void {
  if (!selector?.trim()) return;
  const key = `${t.group ? `${t.group}/` : ''}${t.version}/${t.kind}`;
  const allowed = new Set([...common, ...(isCrd(t) ? [] : (byKind[key] ?? []))]);
  for (const term of selector.split(',')) {
    const field = term.split(/!=|==|=/)[0]!.trim();
    if (field && !allowed.has(field)) throw new StatusError(400, 'BadRequest', `field label not supported: ${field}`);
  }
}

// apiextensions.k8s.io/v1 CustomResourceDefinitions for the CRD kinds the store serves,
// built on the fly (read-only: get and list), so a client can ask whether Harvester,
// KubeVirt or Longhorn CRDs are installed exactly as it would on a real cluster.
import { createHash } from 'node:crypto';
import type { TwinResourceType } from '../resources.js';
import { notFound } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { KObject, ResourceType } from '../store/types.js';
import { isCrd } from './discovery.js';

export const crdType: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  namespaced: false,
  subresources: ['status'],
  verbs: ['get', 'list'],
};

function uidFor(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One CRD per group+resource, with every served version, in name order. */
export function crdObjects(store: Store, createdAt: string): KObject[] {
  const byName = new Map<string, ResourceType[]>();
  for (const t of store.allTypes()) {
    if (!isCrd(t)) continue;
    const name = `${t.resource}.${t.group}`;
    byName.set(name, [...(byName.get(name) ?? []), t]);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, versions]) => {
      const t = versions[0]!;
      const names = {
        plural: t.resource,
        singular: t.singular ?? t.kind.toLowerCase(),
        kind: t.kind,
        listKind: t.listKind ?? `${t.kind}List`,
        ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories?.length ? { categories: t.categories } : {}),
      };
      return {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name, uid: uidFor(name), resourceVersion: '1', generation: 1, creationTimestamp: createdAt },
        spec: {
          group: t.group,
          names,
          scope: t.namespaced ? 'Namespaced' : 'Cluster',
          versions: versions.map((v, i) => ({
            name: v.version,
            served: true,
            storage: i === 0,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            ...(v.subresources?.includes('status') ? { subresources: { status: {} } } : {}),
            ...((v as TwinResourceType).printerColumns?.length ? { additionalPrinterColumns: (v as TwinResourceType).printerColumns } : {}),
          })),
          conversion: { strategy: 'None' },
        },
        status: {
          conditions: [
            { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: createdAt },
            { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: createdAt },
          ],
          acceptedNames: names,
          storedVersions: [t.version],
        },
      };
    });
}

export function crdObject(store: Store, createdAt: string, name: string): KObject {
  const found = crdObjects(store, createdAt).find((c) => c.metadata.name === name);
  if (!found) throw notFound('customresourcedefinitions', 'apiextensions.k8s.io', name);
  return found;
}

// CustomResourceDefinition manifests for the fidelity bed, generated from the twin's own
// catalogue (src/twin/resources.ts `crdTypes`) so the real kube-apiserver and the
// in-memory twin serve one definition. Schemas keep every field
// (x-kubernetes-preserve-unknown-fields): the bed checks API mechanics, not the upstream
// projects' validation. Must not grow a second list of kinds.
import { crdTypes, type TwinResourceType } from '../../src/twin/resources.js';
import type { KObject } from '../../src/twin/store/types.js';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: Record<string, unknown>[];
}

export interface CrdManifest extends KObject {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: Record<string, unknown>;
    versions: CrdVersion[];
  };
}

/** The CRD's metadata.name, as the apiserver requires: `<plural>.<group>`. */
export function crdName(t: Pick<TwinResourceType, 'resource' | 'group'>): string {
  return `${t.resource}.${t.group}`;
}

function subresourcesOf(t: TwinResourceType): Record<string, unknown> | undefined {
  const subs: Record<string, unknown> = {};
  if (t.subresources?.includes('status')) subs.status = {};
  // Every upstream kind with a scale subresource keeps replicas at these paths.
  if (t.subresources?.includes('scale')) {
    subs.scale = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' };
  }
  return Object.keys(subs).length ? subs : undefined;
}

function versionOf(t: TwinResourceType): CrdVersion {
  const v: CrdVersion = {
    name: t.version,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  };
  const subs = subresourcesOf(t);
  if (subs) v.subresources = subs;
  if (t.printerColumns?.length) v.additionalPrinterColumns = t.printerColumns.map((c) => ({ ...c }));
  return v;
}

/** One CRD manifest per catalogue entry (group+resource); throws on a duplicate. */
export function crdManifests(types: readonly TwinResourceType[] = crdTypes): CrdManifest[] {
  const seen = new Set<string>();
  return types
    .filter((t) => t.crd)
    .map((t) => {
      const name = crdName(t);
      // Two versions of one kind would need one CRD with two versions; the catalogue has none.
      if (seen.has(name)) throw new Error(`crdTypes lists ${name} twice; merge the versions into one entry`);
      seen.add(name);
      const names: Record<string, unknown> = {
        plural: t.resource,
        singular: t.singular ?? t.kind.toLowerCase(),
        kind: t.kind,
        listKind: t.listKind ?? `${t.kind}List`,
      };
      if (t.shortNames?.length) names.shortNames = [...t.shortNames];
      if (t.categories?.length) names.categories = [...t.categories];
      return {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec: { group: t.group, scope: t.namespaced ? 'Namespaced' : 'Cluster', names, versions: [versionOf(t)] },
      };
    });
}

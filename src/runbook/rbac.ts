// `fallow rbac`: the least-privilege ClusterRole a run needs, derived from the rules each
// step declares (never written twice), merged per API group and resource.
import { stringify } from 'yaml';
import type { RbacRule, Runbook } from '../engine/types.js';
import type { RunbookEnv } from './env.js';
import { restartRunbook } from './restart/index.js';
import { shutdownRunbook } from './shutdown/index.js';

/** Read-only rules `plan` and `verify` need beyond the steps' own (inventory, preflight). */
export const planRules: RbacRule[] = [
  { group: '', resource: 'namespaces', verbs: ['get'] },
  { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
  { group: '', resource: 'pods', verbs: ['get', 'list', 'watch'] },
  // The VIP's Service and ConfigMap are the only ones fallow reads.
  { group: '', resource: 'services', verbs: ['get'], namespace: 'kube-system' },
  { group: '', resource: 'configmaps', verbs: ['get'], namespace: 'harvester-system' },
  { group: '', resource: 'persistentvolumeclaims', verbs: ['list'] },
  { group: 'apps', resource: 'deployments', verbs: ['get', 'list', 'watch'] },
  { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['get', 'list', 'watch'] },
  { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['get', 'list', 'watch'] },
  { group: 'harvesterhci.io', resource: 'addons', verbs: ['get', 'list', 'watch'] },
  { group: 'harvesterhci.io', resource: 'settings', verbs: ['get', 'list'] },
  { group: 'longhorn.io', resource: 'volumes', verbs: ['get', 'list', 'watch'] },
  { group: '', resource: 'pods/exec', verbs: ['create', 'get'], namespace: 'kube-system' },
  { group: 'metal.harvesterhci.io', resource: 'inventories', verbs: ['list'] },
];

/** Every rule of the given runbooks plus plan's, merged: one entry per (group, resource). */
export function rbacFor(runbooks: Runbook<RunbookEnv>[] = [shutdownRunbook, restartRunbook], extra: RbacRule[] = planRules): RbacRule[] {
  const merged = new Map<string, Set<string>>();
  const all = [...runbooks.flatMap((rb) => rb.steps.flatMap((s) => s.rbac ?? [])), ...extra];
  for (const r of all) {
    const k = `${r.group}\u0000${r.resource}`;
    const set = merged.get(k) ?? new Set<string>();
    r.verbs.forEach((v) => set.add(v));
    merged.set(k, set);
  }
  return [...merged]
    .map(([k, verbs]) => {
      const [group, resource] = k.split('\u0000') as [string, string];
      return { group, resource, verbs: [...verbs].sort() };
    })
    .sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
}

/** The same rules split by scope, for a tighter grant: a verb on a resource goes into the
 *  cluster-wide part when any declaration of it is cluster-wide, else into one namespaced
 *  rule per namespace it is declared in (those become Roles, not ClusterRole rules). */
export function rbacByScope(runbooks: Runbook<RunbookEnv>[] = [shutdownRunbook, restartRunbook], extra: RbacRule[] = planRules): { clusterWide: RbacRule[]; namespaced: RbacRule[] } {
  const all = [...runbooks.flatMap((rb) => rb.steps.flatMap((s) => s.rbac ?? [])), ...extra];
  const wide = new Set<string>();
  for (const r of all) if (!r.namespace) r.verbs.forEach((v) => wide.add(`${r.group}\u0000${r.resource}\u0000${v}`));
  const clusterWide: RbacRule[] = [];
  const namespaced: RbacRule[] = [];
  for (const r of all) {
    const isWide = (v: string) => wide.has(`${r.group}\u0000${r.resource}\u0000${v}`);
    if (!r.namespace) clusterWide.push(r);
    else {
      const verbs = r.verbs.filter((v) => !isWide(v));
      if (verbs.length) namespaced.push({ ...r, verbs });
    }
  }
  const byNs = new Map<string, RbacRule[]>();
  for (const r of namespaced) byNs.set(r.namespace!, [...(byNs.get(r.namespace!) ?? []), r]);
  return {
    clusterWide: rbacFor([], clusterWide),
    namespaced: [...byNs].sort(([a], [b]) => a.localeCompare(b)).flatMap(([namespace, rules]) => rbacFor([], rules).map((r) => ({ ...r, namespace }))),
  };
}

/** A ClusterRole + ClusterRoleBinding manifest for a subject (a user or service account). */
export function clusterRoleYaml(rules: RbacRule[], subject: { kind: 'User' | 'ServiceAccount'; name: string; namespace?: string }): string {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'fallow', labels: { 'app.kubernetes.io/name': 'fallow' } },
    rules: rules.map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: r.verbs })),
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'fallow' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fallow' },
    subjects: [subject.kind === 'User' ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: subject.name } : { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace ?? 'default' }],
  };
  return `${stringify(role)}---\n${stringify(binding)}`;
}

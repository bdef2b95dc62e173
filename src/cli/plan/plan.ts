// `fallow plan` as data: connect → identity and inventory, alongside the access review of
// what they cannot answer → the rest of the review → preflight → the ordered steps.
// Read-only: the only requests that are not GETs are the SelfSubjectAccessReview creates.
// Each list plan makes proves its own access (proven.ts) and saves a review; when a read is
// forbidden, the review still names every read plan lacks. Rendering is separate (render.ts).
import { PreflightError } from '../../common/errors.js';
import { capList } from '../../common/list.js';
import { Namespaces, Rancher, Vip } from '../../common/harvester.js';
import type { RbacRule } from '../../engine/types.js';
import { type AccessCheck, describeAccess } from '../../cluster/access.js';
import type { Connection } from '../../cluster/connect.js';
import { clusterIdentity, type ClusterIdentity } from '../../cluster/discovery.js';
import { apiErrorInfo } from '../../cluster/errors.js';
import { type Inventory, readInventory } from './inventory.js';
import { preflight, type PreflightCheck } from './preflight.js';
import { ProvingReader } from './proven.js';
import { type PlannedRunbook, type PlanProvider, planSteps, runbookRbac } from './provider.js';

/** What plan itself reads: without these it cannot even inventory the cluster. */
export const planReadRbac: RbacRule[] = [
  { group: '', resource: 'nodes', verbs: ['list'] },
  { group: '', resource: 'namespaces', verbs: ['get'] },
  { group: '', resource: 'pods', verbs: ['get'], namespace: Namespaces.kubeSystem },
  { group: '', resource: 'pods/exec', verbs: ['create'], namespace: Namespaces.kubeSystem },
  { group: '', resource: 'configmaps', verbs: ['get'], namespace: Vip.configMap.namespace },
  { group: '', resource: 'services', verbs: ['get'], namespace: Vip.service.namespace },
  { group: 'apps', resource: 'deployments', verbs: ['get'], namespace: Rancher.namespace },
  { group: 'harvesterhci.io', resource: 'settings', verbs: ['get', 'list'] },
  { group: 'harvesterhci.io', resource: 'addons', verbs: ['list'] },
  { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['list'] },
  { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['list'] },
  { group: 'longhorn.io', resource: 'volumes', verbs: ['list'], namespace: Namespaces.longhornSystem },
];

export interface Plan {
  apiVersion: 'fallow.plan/v1';
  kind: 'Plan';
  ok: boolean;
  cluster: Inventory['identity'];
  preflight: PreflightCheck[];
  /** Every access review; denied ones make the rbac check fail. */
  access: AccessCheck[];
  inventory: Omit<Inventory, 'identity'>;
  runbooks: PlannedRunbook[];
}

const key = (a: Pick<AccessCheck, 'group' | 'resource' | 'verb' | 'namespace'>) => `${a.group}|${a.resource}|${a.verb}|${a.namespace ?? ''}`;

/** Checks plan's own lists answer (readInventory lists exactly the `list` rules of planReadRbac). */
const listedByPlan = new Set(planReadRbac.filter((r) => r.verbs.includes('list')).map((r) => key({ ...r, verb: 'list' })));
const withoutListed = (rules: readonly RbacRule[]): RbacRule[] =>
  rules.map((r) => ({ ...r, verbs: r.verbs.filter((verb) => !listedByPlan.has(key({ ...r, verb }))) })).filter((r) => r.verbs.length > 0);

export async function buildPlan(conn: Connection, provider: PlanProvider): Promise<Plan> {
  const { cluster, kubeconfig, version, discovery } = conn;
  const runRules = runbookRbac(provider);
  const rules = [...planReadRbac, ...runRules];
  const reader = new ProvingReader(cluster);
  // The reads take their QPS tokens first (the bucket is FIFO): they are the slow requests.
  const identityRead = clusterIdentity(cluster, { name: kubeconfig.clusterName, context: kubeconfig.context, kubernetesVersion: version.gitVersion });
  const inventoryRead = readInventory(reader);
  // What the reads cannot answer is reviewed while they run; each failure surfaces where it is awaited.
  const early = cluster.accessReview(withoutListed(rules));
  for (const p of [inventoryRead, early]) p.catch(() => undefined);
  let read: { identity: ClusterIdentity; inventory: Inventory } | undefined;
  let forbidden: unknown;
  try {
    const identity = await identityRead;
    read = { identity, inventory: { identity, ...(await inventoryRead) } };
  } catch (err) {
    if (apiErrorInfo(err)?.statusCode !== 403) throw err;
    forbidden = err;
  }
  const access = await cluster.accessReview(rules, { known: [...(await early), ...reader.proven] });

  // Without its own reads plan has nothing to show: one line naming what is missing.
  const readKeys = new Set(planReadRbac.flatMap((r) => r.verbs.map((verb) => key({ ...r, verb }))));
  const deniedReads = access.filter((a) => !a.allowed && readKeys.has(key(a)));
  if (deniedReads.length) {
    throw new PreflightError(
      `the kubeconfig's user may not read what fallow needs: ${capList(deniedReads.map(describeAccess), 6)}`,
      'Grant them, or run `fallow rbac` for the role fallow needs',
    );
  }

  // Allowed by every review yet forbidden (a rule limited to resource names, say): the server's own words.
  if (!read) throw forbidden;
  const { identity, inventory } = read;
  const runKeys = new Set(runRules.flatMap((r) => r.verbs.map((verb) => key({ ...r, verb }))));
  const extra: PreflightCheck[] = [];
  if (discovery.missingOptional.length) {
    extra.push({
      id: 'apis',
      title: 'Optional Harvester APIs',
      status: 'warn',
      detail: `not served: ${discovery.missingOptional.join(', ')}`,
      hint: 'Steps that need them are skipped or fail; check the Harvester version',
    });
  }
  const checks = preflight(inventory, access.filter((a) => runKeys.has(key(a)) || readKeys.has(key(a))), extra);
  const { identity: _id, ...rest } = inventory;
  return {
    apiVersion: 'fallow.plan/v1',
    kind: 'Plan',
    ok: checks.every((c) => c.status !== 'fail'),
    cluster: identity,
    preflight: checks,
    access,
    inventory: rest,
    runbooks: planSteps(provider),
  };
}

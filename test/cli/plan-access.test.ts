// Plan's request budget on the twin API server: each access review and each list page is a
// token of the client's QPS limit, so plan asks only what nothing else answers — a
// namespaced review whose all-namespaces twin is allowed, and a list plan itself made, are
// not asked again — and lists in large pages. The answers stay what SSAR would say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpliedReason } from '../../src/cluster/access.js';
import { buildPlan } from '../../src/cli/plan/plan.js';
import { defaultPlanProvider } from '../../src/cli/plan/provider.js';
import { ProvenReason } from '../../src/cli/plan/proven.js';
import { type Bed, harvesterStore, put, startBed } from '../cluster/fixture.js';

const reviews = (bed: Bed, from: number) => bed.api.requestLog.slice(from).filter((r) => r.resource === 'selfsubjectaccessreviews');

describe('access review: only what nothing else answers', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({
      rbac: true,
      users: [
        {
          name: 'ops',
          token: 'ops-token-0123456789',
          rules: [
            { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
            { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'], namespaces: ['cattle-system'] },
          ],
        },
      ],
    });
  });
  afterAll(() => bed.close());

  it('a namespaced check is implied by its allowed all-namespaces twin, and asked when the twin is denied', async () => {
    const kc = `${bed.dir}/ops.kubeconfig`;
    await bed.api.writeKubeconfig(kc, { user: 'ops' });
    const { cluster } = await bed.connect({ kubeconfig: kc });
    const from = bed.api.requestLog.length;
    const checks = await cluster.accessReview([
      { group: '', resource: 'pods', verbs: ['get'] },
      { group: '', resource: 'pods', verbs: ['get'], namespace: 'kube-system' },
      { group: 'apps', resource: 'deployments', verbs: ['patch'] },
      { group: 'apps', resource: 'deployments', verbs: ['patch'], namespace: 'cattle-system' },
      { group: 'apps', resource: 'deployments', verbs: ['patch'], namespace: 'kube-system' },
    ]);
    expect(checks.map((c) => [c.resource, c.namespace ?? '*', c.allowed])).toEqual([
      ['pods', '*', true],
      ['pods', 'kube-system', true],
      ['deployments', '*', false],
      ['deployments', 'cattle-system', true],
      ['deployments', 'kube-system', false],
    ]);
    expect(checks[1]!.reason).toBe(ImpliedReason);
    // Asked: both twins, and the two namespaced checks whose twin was denied.
    expect(reviews(bed, from)).toHaveLength(4);
  });

  it('a known answer is kept and not asked again', async () => {
    const { cluster } = await bed.connect();
    const from = bed.api.requestLog.length;
    const known = { group: '', resource: 'nodes', verb: 'list', allowed: true, reason: 'seen' };
    const checks = await cluster.accessReview([{ group: '', resource: 'nodes', verbs: ['list', 'watch'] }], { known: [known] });
    expect(checks).toEqual([known, expect.objectContaining({ resource: 'nodes', verb: 'watch', allowed: true })]);
    expect(reviews(bed, from)).toHaveLength(1);
  });
});

describe('fallow plan: its own lists prove their access, in large pages', () => {
  let bed: Bed;
  beforeAll(async () => {
    const store = harvesterStore();
    for (let i = 0; i < 1200; i++) {
      put(store, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: `many-${i}`, namespace: 'default' }, spec: { runStrategy: 'Halted', template: { spec: {} } } });
    }
    bed = await startBed({ store });
  });
  afterAll(() => bed.close());

  it('lists 1,200 VMs in one request and asks no review for what it listed or what an all-namespaces answer implies', async () => {
    const conn = await bed.connect();
    const from = bed.api.requestLog.length;
    const plan = await buildPlan(conn, defaultPlanProvider);
    const made = bed.api.requestLog.slice(from);
    expect(made.filter((r) => r.verb === 'list' && r.resource === 'virtualmachines')).toHaveLength(1);
    expect(plan.inventory.vms.traditional.filter((v) => v.name.startsWith('many-'))).toHaveLength(1200);

    const proven = plan.access.filter((a) => a.reason === ProvenReason);
    const implied = plan.access.filter((a) => a.reason === ImpliedReason);
    expect(proven.map((a) => `${a.verb} ${a.resource} ${a.namespace ?? '*'}`)).toEqual(
      expect.arrayContaining(['list nodes *', 'list virtualmachines *', 'list virtualmachineinstances *', 'list addons *', 'list settings *']),
    );
    expect(proven.every((a) => a.verb === 'list' && a.allowed)).toBe(true);
    expect(implied.length).toBeGreaterThan(0);
    expect(implied.every((a) => a.namespace !== undefined && a.allowed)).toBe(true);
    expect(reviews(bed, from)).toHaveLength(plan.access.length - proven.length - implied.length);
    expect(plan.preflight.find((p) => p.id === 'rbac')?.status).toBe('ok');
  });
});

// fallow's access review against real RBAC: a namespaced check is not asked when its
// all-namespaces twin is allowed (only a ClusterRoleBinding grants that, and it covers
// every namespace), and is asked, and answered per namespace, when the twin is denied —
// the answers must be the ones kube-apiserver gives to each review on its own.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessCheck, ImpliedReason } from '../../src/cluster/access.js';
import { connect } from '../../src/cluster/connect.js';
import type { RbacRule } from '../../src/engine/types.js';
import { writeKubeconfigFile } from '../../src/twin/apiserver/kubeconfig.js';
import { startFidelityBed, type FidelityBed } from './harness.js';

const user = 'reviewer';
const rbac = '/apis/rbac.authorization.k8s.io/v1';
let bed: FidelityBed;

async function grant(kind: 'ClusterRole' | 'Role', namespace: string | undefined, name: string, rules: object[]): Promise<void> {
  const at = namespace ? `${rbac}/namespaces/${namespace}` : rbac;
  const plural = kind === 'Role' ? 'roles' : 'clusterroles';
  const binding = kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding';
  await bed.client.json('POST', `${at}/${plural}`, { body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name }, rules } });
  await bed.client.json('POST', `${at}/${binding.toLowerCase()}s`, {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: binding,
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}

beforeAll(async () => {
  bed = await startFidelityBed({ controllerManager: false, users: [{ name: user, groups: [] }] });
  for (const ns of ['cattle-system']) await bed.client.json('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  await grant('ClusterRole', undefined, 'reviewer-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
  await grant('Role', 'cattle-system', 'reviewer-deploy', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }]);
});

afterAll(async () => {
  await bed?.stop();
});

describe('access review against kube-apiserver', () => {
  it('implies a namespaced check from an allowed all-namespaces twin, and asks the rest one by one', async () => {
    const kubeconfig = join(bed.dir, `${user}.kubeconfig`);
    const e = bed.endpointFor(user);
    await writeKubeconfigFile(kubeconfig, { server: e.server, caPem: e.caPem, user, token: e.token, context: 'fidelity' });
    const { cluster } = await connect({ kubeconfig, env: {}, requireHarvester: false });
    try {
      const rules: RbacRule[] = [
        { group: '', resource: 'pods', verbs: ['get'] },
        { group: '', resource: 'pods', verbs: ['get'], namespace: 'kube-system' },
        { group: 'apps', resource: 'deployments', verbs: ['patch'] },
        { group: 'apps', resource: 'deployments', verbs: ['patch'], namespace: 'cattle-system' },
        { group: 'apps', resource: 'deployments', verbs: ['patch'], namespace: 'kube-system' },
      ];
      const bindingsLive = async (): Promise<AccessCheck[]> => {
        for (let i = 0; i < 100; i++) {
          const checks = await cluster.accessReview(rules);
          if (checks[0]!.allowed && checks[3]!.allowed) return checks;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('the bindings never took effect');
      };
      const checks = await bindingsLive();
      expect(checks.map((c) => [c.resource, c.namespace ?? '*', c.allowed])).toEqual([
        ['pods', '*', true],
        ['pods', 'kube-system', true],
        ['deployments', '*', false],
        ['deployments', 'cattle-system', true],
        ['deployments', 'kube-system', false],
      ]);
      expect(checks[1]!.reason).toBe(ImpliedReason);
      // The implied answer is the one kube-apiserver gives when asked.
      const asked = await cluster.accessReview([rules[1]!]);
      expect(asked[0]).toMatchObject({ allowed: true });
      expect(asked[0]!.reason).not.toBe(ImpliedReason);
    } finally {
      cluster.close();
    }
  });
});

// `fallow rbac`: the manifests grant exactly the verbs the runbook steps declare — all of
// them, nothing more — with namespaced verbs in Roles of their namespace only.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ExitCode } from '../../src/common/errors.js';
import type { RbacRule } from '../../src/engine/types.js';
import { planRules, rbacFor } from '../../src/runbook/rbac.js';
import { restartRunbook, shutdownRunbook } from '../../src/runbook/index.js';
import { runMain } from './run-main.js';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Item {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

async function manifests(args: string[] = []): Promise<Item[]> {
  const r = await runMain(['rbac', '-o', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(ExitCode.ok);
  const list = JSON.parse(r.stdout) as { kind: string; items: Item[] };
  expect(list.kind).toBe('List');
  return list.items;
}

/** "group|resource|verb@namespace" for every grant ("*" namespace: cluster-wide). */
function grants(items: Item[]): Set<string> {
  const out = new Set<string>();
  for (const i of items) {
    if (i.kind !== 'ClusterRole' && i.kind !== 'Role') continue;
    const ns = i.kind === 'Role' ? i.metadata.namespace! : '*';
    for (const r of i.rules ?? []) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.add(`${g}|${res}|${v}@${ns}`);
  }
  return out;
}

const declared: RbacRule[] = [...[shutdownRunbook, restartRunbook].flatMap((rb) => rb.steps.flatMap((s) => s.rbac ?? [])), ...planRules];
const allows = (g: Set<string>, r: RbacRule, v: string) => g.has(`${r.group}|${r.resource}|${v}@*`) || (r.namespace !== undefined && g.has(`${r.group}|${r.resource}|${v}@${r.namespace}`));

describe('fallow rbac', () => {
  it('grants every verb a step declares, in the scope it declares it', async () => {
    const g = grants(await manifests());
    for (const r of declared) for (const v of r.verbs) expect(allows(g, r, v), `${v} ${r.group}/${r.resource} ${r.namespace ?? ''}`).toBe(true);
  });

  it('grants nothing no step declares', async () => {
    for (const grant of grants(await manifests())) {
      const [key, ns] = grant.split('@') as [string, string];
      const [group, resource, verb] = key.split('|');
      const why = declared.filter((r) => r.group === group && r.resource === resource && r.verbs.includes(verb!) && (ns === '*' ? !r.namespace : r.namespace === ns));
      expect(why, `nothing declares ${grant}`).not.toEqual([]);
    }
  });

  it('keeps exec into pods to kube-system and pod deletion to cattle-system', async () => {
    const items = await manifests();
    const g = grants(items);
    expect(g.has('|pods/exec|create@*')).toBe(false);
    expect(g.has('|pods/exec|create@kube-system')).toBe(true);
    expect(g.has('|pods|delete@*')).toBe(false);
    expect(g.has('|pods|delete@cattle-system')).toBe(true);
    expect(items.filter((i) => i.kind === 'ClusterRoleBinding' || i.kind === 'RoleBinding')).toEqual([]);
  });

  it('--cluster-wide is one ClusterRole with rbacFor()', async () => {
    const items = await manifests(['--cluster-wide']);
    expect(items.map((i) => i.kind)).toEqual(['ClusterRole']);
    expect(items[0]!.rules).toEqual(rbacFor().map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: r.verbs })));
  });

  it('binds every role to the user given', async () => {
    const items = await manifests(['--user', 'ops@example.org', '--name', 'fallow-ops']);
    const roles = items.filter((i) => i.kind === 'Role' || i.kind === 'ClusterRole');
    const bindings = items.filter((i) => i.kind === 'RoleBinding' || i.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(roles.length);
    for (const role of roles) {
      const b = bindings.find((x) => x.kind === `${role.kind}Binding` && x.metadata.namespace === role.metadata.namespace)!;
      expect(b.roleRef).toMatchObject({ kind: role.kind, name: 'fallow-ops' });
      expect(b.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops@example.org' }]);
    }
  });

  it('creates the service account first and binds it', async () => {
    const items = await manifests(['--service-account', 'kube-system/fallow']);
    expect(items[0]).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'fallow', namespace: 'kube-system' } });
    const subjects = items.flatMap((i) => i.subjects ?? []);
    expect(subjects.length).toBe(items.filter((i) => i.kind.endsWith('Binding')).length);
    for (const s of subjects) expect(s).toEqual({ kind: 'ServiceAccount', name: 'fallow', namespace: 'kube-system' });
  });

  it('prints YAML documents (the default) with the same objects as JSON', async () => {
    const r = await runMain(['rbac', '--user', 'alice']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^# The least-privilege RBAC fallow needs/);
    expect(r.stdout).toMatch(/^ {4}verbs: \[get, list, watch\]$/m);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Item);
    expect(docs).toEqual(await manifests(['--user', 'alice']));
  });

  it.each([
    [['--user', 'a', '--service-account', 'ns/b'], /--user and --service-account both given/],
    [['--service-account', 'fallow'], /--service-account "fallow" is not NAMESPACE\/NAME/],
    [['--service-account', 'Kube_System/fallow'], /is not NAMESPACE\/NAME/],
    [['--user', ' '], /--user is empty/],
    [['--name', 'Fallow!'], /--name "Fallow!" is not a valid object name/],
    [['-o', 'table'], /argument 'table' is invalid/],
  ])('refuses %j with exit 2', async (args, msg) => {
    const r = await runMain(['rbac', ...args]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(msg);
  });
});

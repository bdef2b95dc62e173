// `fallow rbac`: the least-privilege RBAC a run needs, as manifests to `kubectl apply`.
// The rules are the ones the runbook steps declare (rbacByScope / rbacFor in
// src/runbook/rbac.ts), never listed here: a verb any step needs cluster-wide goes into
// the ClusterRole, one only needed in some namespaces into a Role there (so pods/exec is
// granted in kube-system only, not on every pod of the cluster).
import { Command, Option } from 'commander';
import { Document, isScalar, visit } from 'yaml';
import { UsageError } from '../../common/errors.js';
import type { RbacRule } from '../../engine/types.js';
import { rbacByScope, rbacFor } from '../../runbook/rbac.js';
import type { CommandModule } from './index.js';

export type RbacSubject = { kind: 'User'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

export interface RbacOptions {
  /** Name of every role and binding (default "fallow"). */
  name: string;
  subject?: RbacSubject;
  /** One ClusterRole with every rule, no namespaced Roles (simpler, wider). */
  clusterWide: boolean;
}

type Manifest = Record<string, unknown> & { kind: string };

const rbacApi = 'rbac.authorization.k8s.io';
const labels = { 'app.kubernetes.io/name': 'fallow', 'app.kubernetes.io/component': 'rbac' };

function policyRules(rules: RbacRule[]) {
  return rules.map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: r.verbs }));
}

function subjectRef(s: RbacSubject) {
  return s.kind === 'User' ? { apiGroup: rbacApi, kind: 'User', name: s.name } : { kind: 'ServiceAccount', name: s.name, namespace: s.namespace };
}

/** The manifests, in apply order: the service account, the ClusterRole and its binding, then a Role and binding per namespace. */
export function rbacManifests(o: RbacOptions): Manifest[] {
  const scoped = o.clusterWide ? { clusterWide: rbacFor(), namespaced: [] } : rbacByScope();
  const out: Manifest[] = [];
  const meta = (namespace?: string) => ({ name: o.name, ...(namespace ? { namespace } : {}), labels });
  if (o.subject?.kind === 'ServiceAccount') out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.subject.namespace) });
  out.push({ apiVersion: `${rbacApi}/v1`, kind: 'ClusterRole', metadata: meta(), rules: policyRules(scoped.clusterWide) });
  if (o.subject) {
    out.push({ apiVersion: `${rbacApi}/v1`, kind: 'ClusterRoleBinding', metadata: meta(), roleRef: { apiGroup: rbacApi, kind: 'ClusterRole', name: o.name }, subjects: [subjectRef(o.subject)] });
  }
  const namespaces = [...new Set(scoped.namespaced.map((r) => r.namespace!))];
  for (const ns of namespaces) {
    const rules = scoped.namespaced.filter((r) => r.namespace === ns).map(({ namespace: _ns, ...r }) => r);
    out.push({ apiVersion: `${rbacApi}/v1`, kind: 'Role', metadata: meta(ns), rules: policyRules(rules) });
    if (o.subject) {
      out.push({ apiVersion: `${rbacApi}/v1`, kind: 'RoleBinding', metadata: meta(ns), roleRef: { apiGroup: rbacApi, kind: 'Role', name: o.name }, subjects: [subjectRef(o.subject)] });
    }
  }
  return out;
}

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseSubject(opts: { user?: string; serviceAccount?: string }): RbacSubject | undefined {
  if (opts.user !== undefined && opts.serviceAccount !== undefined) {
    throw new UsageError('--user and --service-account both given', 'Bind the role to one subject: pass only one of them');
  }
  if (opts.user !== undefined) {
    if (!opts.user.trim()) throw new UsageError('--user is empty', 'Pass the user name your kubeconfig authenticates as (kubectl auth whoami)');
    return { kind: 'User', name: opts.user };
  }
  if (opts.serviceAccount === undefined) return undefined;
  const [namespace, name, ...rest] = opts.serviceAccount.split('/');
  if (!namespace || !name || rest.length || !dns1123.test(namespace) || !dns1123.test(name)) {
    throw new UsageError(`--service-account "${opts.serviceAccount}" is not NAMESPACE/NAME`, 'For example --service-account kube-system/fallow');
  }
  return { kind: 'ServiceAccount', namespace, name };
}

/** YAML with lists of plain words on one line (`verbs: [get, list, watch]`), as role manifests are usually written. */
function toYaml(m: Manifest): string {
  const doc = new Document(m);
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function renderManifests(items: Manifest[], format: 'yaml' | 'json', bound: boolean): string {
  if (format === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2) + '\n';
  const head = [
    '# The least-privilege RBAC fallow needs for plan, shutdown, restart and verify,',
    '# derived from the permissions each runbook step declares (`fallow explain <step>` lists them).',
    ...(bound ? [] : ['# No bindings: add --user NAME or --service-account NAMESPACE/NAME to bind the roles.']),
  ];
  return `${head.join('\n')}\n${items.map(toYaml).join('---\n')}`;
}

export const rbacCommand: CommandModule = {
  name: 'rbac',
  register(program, ctx) {
    const cmd = new Command('rbac')
      .summary('the least-privilege ClusterRole (and Roles) a run needs, as manifests')
      .description(
        'Prints the RBAC manifests fallow needs to plan, shut down, restart and verify a cluster, derived from the ' +
          'permissions every runbook step declares. Verbs any step needs cluster-wide go into a ClusterRole; verbs ' +
          'only needed in one namespace (exec into the etcd pods in kube-system, deleting stuck Rancher pods in ' +
          'cattle-system, support bundles in harvester-system) into a Role there. With --user or --service-account ' +
          'the bindings are included, ready for `kubectl apply -f -`. Needs no cluster.',
      )
      .option('--user <name>', 'bind the roles to this user')
      .option('--service-account <namespace/name>', 'create this service account and bind the roles to it')
      .option('--name <name>', 'name of the roles and bindings', 'fallow')
      .option('--cluster-wide', 'one ClusterRole with every rule instead of namespaced Roles where they suffice')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
      .action((opts: { user?: string; serviceAccount?: string; name: string; clusterWide?: boolean; output: 'yaml' | 'json' }) => {
        if (!dns1123.test(opts.name)) throw new UsageError(`--name "${opts.name}" is not a valid object name`, 'Use lower-case letters, digits and dashes');
        const subject = parseSubject(opts);
        const items = rbacManifests({ name: opts.name, clusterWide: opts.clusterWide ?? false, ...(subject ? { subject } : {}) });
        ctx.io.stdout.write(renderManifests(items, opts.output, subject !== undefined));
      });
    program.addCommand(cmd);
  },
};

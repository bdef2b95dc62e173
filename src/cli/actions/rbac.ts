// The body of `fallow rbac` (../commands/rbac.ts declares it): the manifests from the rules
// the runbook steps declare (src/runbook/rbac.ts); loaded only when the command runs.
import { Document, isScalar, visit } from 'yaml';
import { UsageError } from '../../common/errors.js';
import type { RbacRule } from '../../engine/types.js';
import type { CliContext } from '../context.js';
import { rbacByScope, rbacFor } from '../../runbook/rbac.js';

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

export interface RbacFlags {
  user?: string;
  serviceAccount?: string;
  name: string;
  clusterWide?: boolean;
  output: 'yaml' | 'json';
}

export function rbacAction(ctx: CliContext, opts: RbacFlags): void {
  if (!dns1123.test(opts.name)) throw new UsageError(`--name "${opts.name}" is not a valid object name`, 'Use lower-case letters, digits and dashes');
  const subject = parseSubject(opts);
  const items = rbacManifests({ name: opts.name, clusterWide: opts.clusterWide ?? false, ...(subject ? { subject } : {}) });
  ctx.io.stdout.write(renderManifests(items, opts.output, subject !== undefined));
}

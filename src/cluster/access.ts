// RBAC preflight: one SelfSubjectAccessReview per (verb, resource, namespace) the run
// needs, so a missing permission is found before the first act instead of halfway
// through a shutdown. SSAR creates are the only POSTs `fallow plan` makes.
import type { RbacRule } from '../engine/types.js';
import type { Transport } from './transport.js';

export interface AccessCheck {
  group: string;
  resource: string; // "pods/exec" for subresources
  verb: string;
  namespace?: string;
  allowed: boolean;
  reason?: string;
}

interface SsarResponse {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** One check per distinct (group, resource, verb, namespace), in a stable order. */
export function expandRules(rules: readonly RbacRule[]): Omit<AccessCheck, 'allowed' | 'reason'>[] {
  const seen = new Map<string, Omit<AccessCheck, 'allowed' | 'reason'>>();
  for (const r of rules) {
    for (const verb of r.verbs) {
      const key = `${r.group}|${r.resource}|${verb}|${r.namespace ?? ''}`;
      if (!seen.has(key)) seen.set(key, { group: r.group, resource: r.resource, verb, ...(r.namespace ? { namespace: r.namespace } : {}) });
    }
  }
  return [...seen.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.verb.localeCompare(b.verb),
  );
}

export async function accessReview(transport: Transport, rules: readonly RbacRule[], concurrency = 8): Promise<AccessCheck[]> {
  const checks = expandRules(rules);
  const out: AccessCheck[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const i = next++;
      const c = checks[i]!;
      const [resource, subresource] = c.resource.split('/', 2) as [string, string | undefined];
      const res = await transport.request<SsarResponse>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              group: c.group,
              resource,
              verb: c.verb,
              ...(subresource ? { subresource } : {}),
              ...(c.namespace ? { namespace: c.namespace } : {}),
            },
          },
        },
      });
      const allowed = res?.status?.allowed === true && res.status.denied !== true;
      const reason = res?.status?.reason || res?.status?.evaluationError;
      out[i] = { ...c, allowed, ...(reason ? { reason } : {}) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, checks.length) }, worker));
  return out;
}

/** "create pods/exec in kube-system", "list nodes (cluster-wide)". */
export function describeAccess(c: Pick<AccessCheck, 'group' | 'resource' | 'verb' | 'namespace'>): string {
  const [res, sub] = c.resource.split('/', 2);
  const name = c.group ? `${res}.${c.group}${sub ? `/${sub}` : ''}` : c.resource;
  return `${c.verb} ${name} ${c.namespace ? `in ${c.namespace}` : '(all namespaces)'}`;
}

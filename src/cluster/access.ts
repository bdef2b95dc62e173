// RBAC preflight: one SelfSubjectAccessReview per (verb, resource, namespace) the run
// needs and nothing else answers, so a missing permission is found before the first act
// instead of halfway through a shutdown. SSAR creates are the only POSTs `fallow plan`
// makes; each costs a token of the client's QPS limit, which is why answers already known
// are not asked again.
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

const checkKey = (c: Pick<AccessCheck, 'group' | 'resource' | 'verb'>, namespace?: string) => `${c.group}|${c.resource}|${c.verb}|${namespace ?? ''}`;

/** One check per distinct (group, resource, verb, namespace), in a stable order. */
export function expandRules(rules: readonly RbacRule[]): Omit<AccessCheck, 'allowed' | 'reason'>[] {
  const seen = new Map<string, Omit<AccessCheck, 'allowed' | 'reason'>>();
  for (const r of rules) {
    for (const verb of r.verbs) {
      const key = checkKey({ group: r.group, resource: r.resource, verb }, r.namespace);
      if (!seen.has(key)) seen.set(key, { group: r.group, resource: r.resource, verb, ...(r.namespace ? { namespace: r.namespace } : {}) });
    }
  }
  return [...seen.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.verb.localeCompare(b.verb),
  );
}

export interface AccessReviewOptions {
  /** Answers already known (a request of that verb on that resource was allowed): not asked again. */
  known?: readonly AccessCheck[];
  concurrency?: number;
}

/** Why a namespaced check was not asked: RBAC grants "all namespaces" only through a ClusterRoleBinding, which covers every namespace. */
export const ImpliedReason = 'allowed in all namespaces';

/**
 * One review per check that is not answered otherwise: a known answer is reused, and a
 * namespaced check whose all-namespaces twin is allowed is allowed too. The twins are
 * asked first, so a large rule set costs fewer reviews (each one a QPS token).
 */
export async function accessReview(transport: Transport, rules: readonly RbacRule[], opts: AccessReviewOptions = {}): Promise<AccessCheck[]> {
  const checks = expandRules(rules);
  const answers = new Map((opts.known ?? []).map((c) => [checkKey(c, c.namespace), c]));
  const twins = new Set(checks.filter((c) => !c.namespace).map((c) => checkKey(c)));
  const ask = (c: Omit<AccessCheck, 'allowed' | 'reason'>) => !answers.has(checkKey(c, c.namespace));
  // A namespaced check waits for its twin only when the rule set has one.
  await review(transport, checks.filter((c) => ask(c) && !(c.namespace && twins.has(checkKey(c)))), answers, opts.concurrency);
  for (const c of checks) {
    if (c.namespace && ask(c) && answers.get(checkKey(c))?.allowed) answers.set(checkKey(c, c.namespace), { ...c, allowed: true, reason: ImpliedReason });
  }
  await review(transport, checks.filter(ask), answers, opts.concurrency);
  return checks.map((c) => answers.get(checkKey(c, c.namespace))!);
}

async function review(transport: Transport, checks: Omit<AccessCheck, 'allowed' | 'reason'>[], answers: Map<string, AccessCheck>, concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const c = checks[next++]!;
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
      answers.set(checkKey(c, c.namespace), { ...c, allowed, ...(reason ? { reason } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, checks.length) }, worker));
}

/** "create pods/exec in kube-system", "list nodes (cluster-wide)". */
export function describeAccess(c: Pick<AccessCheck, 'group' | 'resource' | 'verb' | 'namespace'>): string {
  const [res, sub] = c.resource.split('/', 2);
  const name = c.group ? `${res}.${c.group}${sub ? `/${sub}` : ''}` : c.resource;
  return `${c.verb} ${name} ${c.namespace ? `in ${c.namespace}` : '(all namespaces)'}`;
}

// Authentication (bearer tokens) and authorisation (RBAC-like rules per user), with
// kube-apiserver's 401 and 403 wording, and SelfSubjectAccessReview answers. The admin
// user is in system:masters and is never checked; when rbac is off every authenticated
// user may do anything; non-resource paths (discovery, /version, health) are open to
// every authenticated user, as the system:discovery and basic-user roles make them.
import type { IncomingMessage } from 'node:http';
import { StatusError } from '../store/errors.js';
import type { Principal } from './context.js';
import type { TwinPolicyRule, TwinUser } from './types.js';

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string | undefined;
  name: string;
  isResource: boolean;
  path: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export const mastersGroup = 'system:masters';

const selfReviews = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

export class Authorizer {
  private readonly byToken = new Map<string, TwinUser>();

  constructor(
    users: TwinUser[],
    private readonly rbac: boolean,
  ) {
    for (const u of users) this.byToken.set(u.token, u);
  }

  /** The user a request's bearer token names; undefined when missing or unknown. */
  authenticate(req: IncomingMessage): { principal: Principal; user: TwinUser } | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const user = m ? this.byToken.get(m[1]!) : undefined;
    if (!user) return undefined;
    return { principal: { name: user.name, groups: [...(user.groups ?? []), 'system:authenticated'] }, user };
  }

  authorize(user: TwinUser, p: Principal, a: Attributes): Decision {
    if (p.groups.includes(mastersGroup)) return { allowed: true, reason: `allowed: user "${p.name}" is in group "${mastersGroup}"` };
    if (!this.rbac) return { allowed: true, reason: 'allowed: the twin runs without RBAC' };
    if (!a.isResource) return { allowed: true, reason: 'allowed: non-resource paths are open to authenticated users' };
    if (a.group === 'authorization.k8s.io' && selfReviews.has(a.resource) && a.verb === 'create') {
      return { allowed: true, reason: 'allowed: every authenticated user may review its own access (system:basic-user)' };
    }
    const i = (user.rules ?? []).findIndex((r) => ruleAllows(r, a));
    if (i >= 0) return { allowed: true, reason: `RBAC: allowed by rule ${i} of user "${p.name}"` };
    return { allowed: false, reason: '' };
  }
}

function ruleAllows(r: TwinPolicyRule, a: Attributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const verbOk = r.verbs.includes('*') || r.verbs.includes(a.verb);
  const groupOk = r.apiGroups.includes('*') || r.apiGroups.includes(a.group);
  const resOk = r.resources.some((x) => x === '*' || x === resource || (a.subresource !== '' && x === `*/${a.subresource}`));
  const nameOk = !r.resourceNames?.length || (a.name !== '' && r.resourceNames.includes(a.name));
  const nsOk = !r.namespaces || (a.namespace !== undefined && (r.namespaces.includes(a.namespace) || r.namespaces.includes('*')));
  return verbOk && groupOk && resOk && nameOk && nsOk;
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** 403 with kube-apiserver's message: who cannot do which verb on what, where. */
export function forbidden(p: Principal, a: Attributes, reason: string): StatusError {
  let msg: string;
  if (!a.isResource) msg = `User "${p.name}" cannot ${a.verb} path "${a.path}"`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    msg = `User "${p.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}`;
  }
  if (reason) msg += `: ${reason}`;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = !a.isResource ? 'forbidden' : a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`;
  return new StatusError(403, 'Forbidden', a.isResource ? `${subject}: ${msg}` : `forbidden: ${msg}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.group ? { group: a.group } : {}),
    ...(a.isResource ? { kind: a.resource } : {}),
  });
}

interface SsarSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

/** Answers a SelfSubjectAccessReview body for the calling user. */
export function selfSubjectAccessReview(authz: Authorizer, user: TwinUser, p: Principal, body: unknown): Record<string, unknown> {
  const review = (body ?? {}) as { spec?: SsarSpec; metadata?: unknown };
  const spec = review.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw new StatusError(422, 'Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified', {
      group: 'authorization.k8s.io',
      kind: 'SelfSubjectAccessReview',
    });
  }
  const ra = spec.resourceAttributes;
  const attrs: Attributes = ra
    ? { verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', namespace: ra.namespace || undefined, name: ra.name ?? '', isResource: true, path: '' }
    : { verb: spec.nonResourceAttributes!.verb ?? '', group: '', resource: '', subresource: '', namespace: undefined, name: '', isResource: false, path: spec.nonResourceAttributes!.path ?? '' };
  const d = authz.authorize(user, p, attrs);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) },
  };
}

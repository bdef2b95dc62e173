// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and
// statefulsets: GET builds a Scale from the parent; PUT and PATCH (any patch type the
// parent accepts) change only spec.replicas, with the parent's optimistic concurrency.
import { conflict, invalid, notFound } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { isDryRun, readJson, type ResourceContext } from './context.js';
import { sendJson } from './http.js';
import { applyPatch, patchTypeOf } from './patch.js';

interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: Record<string, unknown>;
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function selectorString(parent: KObject): string | undefined {
  const sel = (parent.spec as { selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } } | undefined)?.selector;
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator;
    if (op === 'In' || op === 'NotIn') parts.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(',')})`);
    else if (op === 'Exists') parts.push(e.key);
    else if (op === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function scaleOf(parent: KObject): Scale {
  const m = parent.metadata;
  const selector = selectorString(parent);
  const replicas = (parent.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    // autoscaling/v1 spec.replicas is omitempty: a Scale at 0 has an empty spec.
    spec: replicas === 0 ? {} : { replicas },
    status: { replicas: (parent.status as { replicas?: number } | undefined)?.replicas ?? 0, ...(selector !== undefined ? { selector } : {}) },
  };
}

function parentOf(c: ResourceContext): KObject {
  const p = c.store.peek(c.type, c.info.namespace, c.info.name);
  if (!p) throw notFound(c.type.resource, c.type.group, c.info.name);
  return p;
}

export async function handleScale(c: ResourceContext): Promise<void> {
  const parent = parentOf(c);
  if (c.info.verb === 'get') {
    sendJson(c.res, 200, scaleOf(parent));
    return;
  }
  let wanted: Partial<Scale>;
  if (c.info.verb === 'update') {
    wanted = ((await readJson(c.req)) ?? {}) as Partial<Scale>;
  } else {
    const type = patchTypeOf(c.req.headers['content-type'], false);
    wanted = applyPatch(type, scaleOf(parent), await readJson(c.req)) as Partial<Scale>;
  }
  const rv = (wanted.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  if (rv && rv !== parent.metadata.resourceVersion) throw conflict(c.type.resource, c.type.group, c.info.name);
  // A Scale without spec.replicas means 0, as it decodes in Go (the field is omitempty).
  const replicas = wanted.spec?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', c.info.name, 'spec.replicas', `Invalid value: ${String(replicas)}: must be greater than or equal to 0`);
  }
  const next = structuredClone(parent);
  next.spec = { ...(next.spec as object), replicas };
  if (isDryRun(c.query)) {
    sendJson(c.res, 200, scaleOf(next));
    return;
  }
  sendJson(c.res, 200, scaleOf(c.store.update(c.type, next)));
}

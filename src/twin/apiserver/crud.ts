// The generic registry verbs over the store: get, list (selectors, pagination, Table),
// create, update (PUT, incl. /status), patch (incl. /status), delete (graceful, with
// options from the body or the query) and deletecollection. Answers and errors follow
// kube-apiserver's shapes and codes; `dryRun=All` validates and answers without storing.
import { randomUUID } from 'node:crypto';
import { alreadyExists, conflict, notFound, StatusError } from '../store/errors.js';
import type { DeleteOptions } from '../store/store.js';
import { prepareForCreate, prepareForUpdate } from '../store/strategy.js';
import { apiVersionOf, type KObject, type ResourceType } from '../store/types.js';
import { isDryRun, readJson, type ResourceContext } from './context.js';
import { isCrd } from './discovery.js';
import { checkFieldSelector } from './field-labels.js';
import { sendJson, wantsTable } from './http.js';
import { paginate } from './paging.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { listJson, objectJson } from './serialize.js';
import { tableJson } from './table/table.js';
import { asObject, checkName, checkNamespace, checkNamespaceLive } from './validate.js';

function nsOf(c: ResourceContext): string | undefined {
  return c.type.namespaced ? c.info.namespace : undefined;
}

function requireNamespaceScope(c: ResourceContext): void {
  if (!c.type.namespaced && c.info.namespace !== undefined && c.info.resource !== 'namespaces') {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
}

function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function handleGet(c: ResourceContext): void {
  requireNamespaceScope(c);
  const obj = c.store.peek(c.type, nsOf(c), c.info.name);
  if (!obj) throw notFound(c.type.resource, c.type.group, c.info.name);
  if (wantsTable(c.req.headers.accept)) {
    sendJson(c.res, 200, tableJson(c.type, [obj], { now: c.clock.now(), includeObject: includeObject(c.query), resourceVersion: obj.metadata.resourceVersion ?? '' }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    return;
  }
  sendJson(c.res, 200, objectJson(obj));
}

export function handleList(c: ResourceContext): void {
  requireNamespaceScope(c);
  const labelSelector = c.query.get('labelSelector') ?? undefined;
  const fieldSelector = c.query.get('fieldSelector') ?? undefined;
  checkFieldSelector(c.type, fieldSelector);
  const all = c.store.scan(c.type, { namespace: nsOf(c), labelSelector, fieldSelector });
  const page = paginate(all, c.query, c.store.resourceVersion, !labelSelector && !fieldSelector);
  const meta = {
    resourceVersion: page.resourceVersion,
    ...(page.continue ? { continue: page.continue } : {}),
    ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
  };
  if (wantsTable(c.req.headers.accept)) {
    sendJson(c.res, 200, tableJson(c.type, page.items, { now: c.clock.now(), includeObject: includeObject(c.query), ...meta }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    return;
  }
  sendJson(c.res, 200, listJson(c.type, page.items, meta));
}

export async function handleCreate(c: ResourceContext): Promise<void> {
  requireNamespaceScope(c);
  const obj = asObject(c.type, await readJson(c.req));
  checkNamespace(c.type, obj, c.info.namespace);
  checkName(c.type, obj);
  if (!obj.metadata.name && !obj.metadata.generateName) {
    throw new StatusError(422, 'Invalid', `${c.type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, {
      kind: c.type.kind,
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  }
  checkNamespaceLive(c.store, c.type, obj);
  // The status of a kind with a status subresource is not the creator's to set.
  if (c.type.subresources?.includes('status')) delete obj.status;
  if (isDryRun(c.query)) {
    if (obj.metadata.name && c.store.peek(c.type, nsOf(c), obj.metadata.name)) throw alreadyExists(c.type.resource, c.type.group, obj.metadata.name);
    const now = timestamp(c.clock.now());
    const out: KObject = { ...structuredClone(obj), apiVersion: apiVersionOf(c.type), kind: c.type.kind };
    out.metadata = { ...out.metadata, uid: randomUUID(), creationTimestamp: now };
    prepareForCreate(c.type, out, { now, existing: () => c.store.scan(c.type) });
    sendJson(c.res, 201, out);
    return;
  }
  sendJson(c.res, 201, c.store.create(c.type, obj));
}

export async function handleUpdate(c: ResourceContext): Promise<void> {
  requireNamespaceScope(c);
  const sub = c.info.subresource;
  if (sub && sub !== 'status') throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const obj = asObject(c.type, await readJson(c.req));
  checkName(c.type, obj, c.info.name);
  checkNamespace(c.type, obj, c.info.namespace);
  if (!obj.metadata.resourceVersion && isCrd(c.type) && !sub) {
    throw new StatusError(422, 'Invalid', `${c.type.kind}.${c.type.group} "${c.info.name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`, {
      name: c.info.name,
      group: c.type.group,
      kind: c.type.kind,
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }],
    });
  }
  if (isDryRun(c.query)) {
    sendJson(c.res, 200, dryRunUpdate(c, obj));
    return;
  }
  sendJson(c.res, 200, c.store.update(c.type, obj, sub === 'status' ? { subresource: 'status' } : {}));
}

function dryRunUpdate(c: ResourceContext, obj: KObject): KObject {
  const cur = c.store.peek(c.type, nsOf(c), c.info.name);
  if (!cur) throw notFound(c.type.resource, c.type.group, c.info.name);
  if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
    throw conflict(c.type.resource, c.type.group, c.info.name);
  }
  const keepStatus = c.info.subresource !== 'status' && c.type.subresources?.includes('status');
  const base = c.info.subresource === 'status' ? { ...cur, status: obj.status } : { ...structuredClone(obj), ...(keepStatus ? { status: cur.status } : {}) };
  const out: KObject = { ...base, apiVersion: apiVersionOf(c.type), kind: c.type.kind, metadata: { ...(c.info.subresource === 'status' ? cur.metadata : base.metadata), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp } };
  if (c.info.subresource !== 'status') prepareForUpdate(c.type, out, cur);
  return out;
}

export async function handlePatch(c: ResourceContext): Promise<void> {
  requireNamespaceScope(c);
  const sub = c.info.subresource;
  if (sub && sub !== 'status') throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const type = patchTypeOf(c.req.headers['content-type'], isCrd(c.type));
  const patch = await readJson(c.req);
  const cur = c.store.get(c.type, nsOf(c), c.info.name);
  const patched = applyPatch(type, cur, patch);
  if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) {
    throw new StatusError(422, 'Invalid', `${c.type.kind} "${c.info.name}" is invalid: the patched document is not an object`);
  }
  const next = patched as KObject;
  if (!next.metadata || typeof next.metadata !== 'object') next.metadata = { ...cur.metadata };
  checkName(c.type, next, c.info.name);
  if (c.type.namespaced && next.metadata.namespace !== cur.metadata.namespace) {
    throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  next.apiVersion = cur.apiVersion;
  next.kind = cur.kind;
  if (next.metadata.resourceVersion === undefined) next.metadata.resourceVersion = cur.metadata.resourceVersion;
  if (isDryRun(c.query)) {
    if (next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(c.type.resource, c.type.group, c.info.name);
    sendJson(c.res, 200, next);
    return;
  }
  sendJson(c.res, 200, c.store.update(c.type, next, sub === 'status' ? { subresource: 'status' } : {}));
}

/** DeleteOptions from the body (kubectl, client-node) or the query (curl). */
async function deleteOptions(c: ResourceContext): Promise<DeleteOptions & { dryRun: boolean }> {
  const body = (await readJson(c.req)) as
    | { gracePeriodSeconds?: number; propagationPolicy?: DeleteOptions['propagationPolicy']; orphanDependents?: boolean; preconditions?: DeleteOptions['preconditions']; dryRun?: string[] }
    | undefined;
  const q = c.query;
  const graceQ = q.get('gracePeriodSeconds');
  const asked = body?.gracePeriodSeconds ?? (graceQ !== null ? Number(graceQ) : undefined);
  if (asked !== undefined && !Number.isInteger(asked)) throw new StatusError(400, 'BadRequest', `invalid gracePeriodSeconds: ${String(asked)}`);
  // kube-apiserver treats a negative grace period as 1 s.
  const grace = asked !== undefined && asked < 0 ? 1 : asked;
  let policy = body?.propagationPolicy ?? (q.get('propagationPolicy') as DeleteOptions['propagationPolicy'] | null) ?? undefined;
  if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  const orphan = body?.orphanDependents ?? (q.get('orphanDependents') !== null ? q.get('orphanDependents') === 'true' : undefined);
  if (!policy && orphan === true) policy = 'Orphan';
  return {
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(body?.preconditions ? { preconditions: body.preconditions } : {}),
    dryRun: isDryRun(q) || (body?.dryRun?.includes('All') ?? false),
  };
}

/** Registries built with ReturnDeletedObject (of the kinds the twin serves); custom resources answer a Status. */
const returningDeleted = new Set(['pods', 'services', 'namespaces', 'persistentvolumes', 'persistentvolumeclaims']);

/** Upstream returns the object for these registries, a Status for the others. */
function returnsDeletedObject(t: ResourceType): boolean {
  return t.group === '' && returningDeleted.has(t.resource);
}

export async function handleDelete(c: ResourceContext): Promise<void> {
  requireNamespaceScope(c);
  if (c.info.subresource) throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const opts = await deleteOptions(c);
  const ns = nsOf(c);
  let out: KObject;
  let stillThere: boolean;
  if (opts.dryRun) {
    const cur = c.store.peek(c.type, ns, c.info.name);
    if (!cur) throw notFound(c.type.resource, c.type.group, c.info.name);
    out = cur;
    stillThere = false;
  } else {
    out = c.store.delete(c.type, ns, c.info.name, opts);
    stillThere = c.store.peek(c.type, ns, c.info.name) !== undefined;
  }
  // Upstream answers 200 even when the object lingers (graceful pod deletion, finalizers).
  const code = 200;
  if (returnsDeletedObject(c.type) || stillThere) {
    sendJson(c.res, code, out);
    return;
  }
  sendJson(c.res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: c.info.name, ...(c.type.group ? { group: c.type.group } : {}), kind: c.type.resource, uid: out.metadata.uid },
  });
}

export async function handleDeleteCollection(c: ResourceContext): Promise<void> {
  requireNamespaceScope(c);
  const opts = await deleteOptions(c);
  checkFieldSelector(c.type, c.query.get('fieldSelector'));
  const victims = c.store.scan(c.type, {
    namespace: nsOf(c),
    labelSelector: c.query.get('labelSelector') ?? undefined,
    fieldSelector: c.query.get('fieldSelector') ?? undefined,
  });
  const items: KObject[] = [];
  for (const v of victims) {
    if (opts.dryRun) {
      items.push(v);
      continue;
    }
    try {
      items.push(c.store.delete(c.type, v.metadata.namespace, v.metadata.name, opts));
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  sendJson(c.res, 200, listJson(c.type, items, { resourceVersion: c.store.resourceVersion }));
}

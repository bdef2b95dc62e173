// Dispatch of an authorised resource request: access reviews, the CRD list, subresource
// handlers added by others (and KubeVirt's), then the store's types by verb and
// subresource (status, scale, eviction; exec needs a WebSocket upgrade).
import { StatusError } from '../store/errors.js';
import type { ResourceType } from '../store/types.js';
import { readJson, type Principal, type ResourceContext } from './context.js';
import { crdObject, crdObjects, crdType } from './crds.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate } from './crud.js';
import { sendJson, wantsTable } from './http.js';
import { selfSubjectAccessReview, type Authorizer } from './rbac.js';
import { handleScale } from './scale.js';
import { listJson } from './serialize.js';
import { tableJson } from './table/table.js';
import type { SubresourceHandler, TwinUser } from './types.js';
import { handleWatch, type WatchHooks } from './watch.js';

export interface RouterDeps {
  authz: Authorizer;
  subresources: Map<string, SubresourceHandler>;
  watchHooks: () => WatchHooks;
  startedAt: string;
}

export function subresourceKey(group: string, resource: string, sub: string): string {
  return `${group}/${resource}/${sub}`;
}

function notServed(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** `c.type` may be a placeholder for groups the store does not serve; checked here. */
export async function route(c: Omit<ResourceContext, 'type'> & { type: ResourceType | undefined }, twinUser: TwinUser, principal: Principal, deps: RouterDeps): Promise<void> {
  const { info } = c;

  if (info.group === 'authorization.k8s.io' && info.version === 'v1' && info.resource === 'selfsubjectaccessreviews') {
    if (info.verb !== 'create') throw methodNotAllowed();
    sendJson(c.res, 201, selfSubjectAccessReview(deps.authz, twinUser, principal, await readJson(c.req)));
    return;
  }

  if (info.group === crdType.group && info.version === crdType.version && info.resource === crdType.resource) {
    const all = info.name ? [crdObject(c.store, deps.startedAt, info.name)] : crdObjects(c.store, deps.startedAt);
    if (info.verb !== 'get' && info.verb !== 'list') throw methodNotAllowed();
    if (wantsTable(c.req.headers.accept)) {
      sendJson(c.res, 200, tableJson(crdType, all, { now: c.clock.now(), includeObject: 'Metadata', resourceVersion: c.store.resourceVersion }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    } else if (info.name) sendJson(c.res, 200, all[0]);
    else sendJson(c.res, 200, listJson(crdType, all, { resourceVersion: c.store.resourceVersion }));
    return;
  }

  const handler = info.subresource ? deps.subresources.get(subresourceKey(info.group, info.resource, info.subresource)) : undefined;
  if (handler) {
    const body = info.verb === 'get' ? undefined : await readJson(c.req);
    const out = await handler({
      method: c.req.method ?? 'GET',
      group: info.group,
      version: info.version,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      body,
      query: c.query,
      user: principal.name,
      store: c.store,
    });
    const status = out?.status ?? 200;
    if (out?.body === undefined) {
      c.res.writeHead(status, { 'Content-Length': 0, 'Cache-Control': 'no-cache, private' });
      c.res.end();
    } else sendJson(c.res, status, out.body);
    return;
  }

  const type = c.type;
  if (!type) throw notServed();
  const ctx: ResourceContext = { ...c, type };

  switch (info.subresource) {
    case '':
    case 'status':
      break;
    case 'scale':
      if (!type.subresources?.includes('scale') || !['get', 'update', 'patch'].includes(info.verb)) throw notServed();
      return handleScale(ctx);
    case 'eviction':
      if (type.resource !== 'pods' || info.verb !== 'create') throw notServed();
      return evict(ctx);
    case 'binding':
      if (type.resource !== 'pods' || info.verb !== 'create') throw notServed();
      return bind(ctx);
    case 'exec':
      if (type.resource === 'pods') throw new StatusError(400, 'BadRequest', 'Upgrade request required');
      throw notServed();
    default:
      throw notServed();
  }
  if (info.subresource === 'status' && !['get', 'update', 'patch'].includes(info.verb)) throw methodNotAllowed();

  switch (info.verb) {
    case 'get':
      return handleGet(ctx);
    case 'list':
      return handleList(ctx);
    case 'watch':
      return handleWatch(ctx, deps.watchHooks());
    case 'create':
      if (info.name) throw methodNotAllowed();
      return handleCreate(ctx);
    case 'update':
      return handleUpdate(ctx);
    case 'patch':
      return handlePatch(ctx);
    case 'delete':
      return handleDelete(ctx);
    case 'deletecollection':
      return handleDeleteCollection(ctx);
    default:
      throw methodNotAllowed();
  }
}

/**
 * pods/binding, as a scheduler assigns a pod. Upstream answers its validation errors as a
 * bare 500 (the error list is not a StatusError), the rest as the registry's.
 */
async function bind(c: ResourceContext): Promise<void> {
  const body = (await readJson(c.req)) as { metadata?: { name?: string; annotations?: Record<string, string> }; target?: { kind?: string; name?: string } } | undefined;
  if (body?.metadata?.name !== c.info.name) throw new StatusError(400, 'BadRequest', 'name in URL does not match name in Binding object');
  const kind = body.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node') throw new StatusError(500, '', `target.kind: Unsupported value: "${kind}": supported values: "Node", "<empty>"`);
  const node = body.target?.name;
  if (!node) throw new StatusError(500, '', 'target.name: Required value');
  c.store.bind(c.type, c.info.namespace ?? 'default', c.info.name, node, body.metadata.annotations);
  sendJson(c.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** policy/v1 Eviction: the twin has no PodDisruptionBudgets, so an eviction is a delete. */
async function evict(c: ResourceContext): Promise<void> {
  const body = (await readJson(c.req)) as { deleteOptions?: { gracePeriodSeconds?: number } } | undefined;
  const grace = body?.deleteOptions?.gracePeriodSeconds;
  c.store.delete(c.type, c.info.namespace, c.info.name, grace !== undefined ? { gracePeriodSeconds: grace } : {});
  sendJson(c.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

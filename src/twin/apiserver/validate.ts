// The request checks kube-apiserver makes before a write reaches storage, with its
// wording: body shape, apiVersion/kind, name and namespace against the URL, the object
// name's syntax, the namespace's existence (NamespaceLifecycle admission) and
// resourceVersion on updates of custom resources.
import { invalid, StatusError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { apiVersionOf, type KObject, type ResourceType } from '../store/types.js';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The body as an object with metadata, its apiVersion/kind checked against the URL's type. */
export function asObject(t: ResourceType, body: unknown): KObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new StatusError(400, 'BadRequest', 'the body of the request is not a JSON object');
  }
  const obj = body as KObject;
  const want = apiVersionOf(t);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw new StatusError(400, 'BadRequest', `the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw new StatusError(400, 'BadRequest', `the kind in the data (${obj.kind}) does not match the expected kind (${t.kind})`);
  }
  if (obj.metadata === undefined) obj.metadata = { name: '' };
  if (obj.metadata === null || typeof obj.metadata !== 'object') throw new StatusError(400, 'BadRequest', 'metadata must be an object');
  return obj;
}

export function checkNamespace(t: ResourceType, obj: KObject, urlNamespace: string | undefined): void {
  if (!t.namespaced) return;
  if (obj.metadata.namespace && urlNamespace && obj.metadata.namespace !== urlNamespace) {
    throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  if (urlNamespace) obj.metadata.namespace = urlNamespace;
}

export function checkName(t: ResourceType, obj: KObject, urlName?: string): void {
  const name = obj.metadata.name;
  if (urlName !== undefined && name !== urlName) {
    throw new StatusError(400, 'BadRequest', `the name of the object (${name ?? ''}) does not match the name on the URL (${urlName})`);
  }
  if (name && (name.length > 253 || !dns1123Subdomain.test(name))) {
    throw invalid(
      t.kind,
      t.group,
      name,
      'metadata.name',
      `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  }
}

/** NamespaceLifecycle: no new objects in a namespace that is missing or terminating. */
export function checkNamespaceLive(store: Store, t: ResourceType, obj: KObject): void {
  if (!t.namespaced) return;
  const nsType = store.typeFor('', 'v1', 'namespaces');
  if (!nsType) return;
  const ns = obj.metadata.namespace ?? 'default';
  const found = store.peek(nsType, undefined, ns);
  if (!found) throw new StatusError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  if (found.metadata.deletionTimestamp) {
    const what = t.group ? `${t.resource}.${t.group}` : t.resource;
    throw new StatusError(
      403,
      'Forbidden',
      `${what} "${obj.metadata.name || obj.metadata.generateName || ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      { name: obj.metadata.name, ...(t.group ? { group: t.group } : {}), kind: t.resource },
    );
  }
}

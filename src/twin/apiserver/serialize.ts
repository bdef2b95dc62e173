// JSON text of stored objects, computed once per stored version: the store replaces an
// object on every write, so a WeakMap keyed by the stored object is a cache that can
// never be stale and lets a 5 000-item list be joined from ready-made strings.
import { isCrd, type KObject, type ResourceType } from '../store/types.js';

const cache = new WeakMap<KObject, string>();
const itemCache = new WeakMap<KObject, string>();

/** JSON of a stored (read-only) object, cached. */
export function objectJson(obj: KObject): string {
  let s = cache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    cache.set(obj, s);
  }
  return s;
}

export function listKind(t: ResourceType): string {
  return t.listKind ?? `${t.kind}List`;
}

export function listApiVersion(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * JSON of a stored object as an item of a built-in kind's list: kube-apiserver encodes
 * typed lists without the items' apiVersion and kind (custom resources keep theirs).
 */
function builtinItemJson(obj: KObject): string {
  let s = itemCache.get(obj);
  if (s === undefined) {
    const { apiVersion: _v, kind: _k, ...rest } = obj;
    s = JSON.stringify(rest);
    itemCache.set(obj, s);
  }
  return s;
}

/** A <Kind>List document joined from cached item JSON. */
export function listJson(t: ResourceType, items: readonly KObject[], meta: ListMeta): string {
  const head = JSON.stringify({ kind: listKind(t), apiVersion: listApiVersion(t), metadata: meta });
  const itemJson = isCrd(t) ? objectJson : builtinItemJson;
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = itemJson(items[i]!);
  return `${head.slice(0, -1)},"items":[${parts.join(',')}]}`;
}

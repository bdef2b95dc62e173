// JSON text of stored objects, computed once per stored version: the store replaces an
// object on every write, so a WeakMap keyed by the stored object is a cache that can
// never be stale and lets a 5 000-item list be joined from ready-made strings.
import type { KObject, ResourceType } from '../store/types.js';

const cache = new WeakMap<KObject, string>();

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

/** A <Kind>List document joined from cached item JSON. */
export function listJson(t: ResourceType, items: readonly KObject[], meta: ListMeta): string {
  const head = JSON.stringify({ kind: listKind(t), apiVersion: listApiVersion(t), metadata: meta });
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = objectJson(items[i]!);
  return `${head.slice(0, -1)},"items":[${parts.join(',')}]}`;
}

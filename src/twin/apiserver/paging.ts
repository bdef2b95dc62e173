// limit/continue pagination as kube-apiserver does it: items in key order, a page of
// `limit`, and an opaque continue token carrying the list's resourceVersion and the key
// to start from. Later pages are read from the live store (the twin keeps no MVCC
// snapshot), but carry the first page's resourceVersion, as upstream pages do.
import { StatusError } from '../store/errors.js';
import { keyOf, type KObject } from '../store/types.js';

interface Token {
  v: string;
  rv: number;
  start: string;
}

export interface Page {
  items: readonly KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(s: string): Token {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Token;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.start !== 'string' || !Number.isFinite(t.rv)) throw new Error('bad token');
    return t;
  } catch {
    throw new StatusError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/**
 * Cuts a page from `all` (already in key order). `countRemaining` is false when a
 * selector filtered the list: upstream omits remainingItemCount then.
 */
export function paginate(all: readonly KObject[], query: URLSearchParams, currentRv: string, countRemaining: boolean): Page {
  const limitRaw = query.get('limit');
  const limit = limitRaw ? Number(limitRaw) : 0;
  if (limitRaw && (!Number.isInteger(limit) || limit < 0)) throw new StatusError(400, 'BadRequest', `invalid limit: ${limitRaw}`);
  const cont = query.get('continue');
  let rv = currentRv;
  let items = all;
  if (cont) {
    const tok = decode(cont);
    rv = String(tok.rv);
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyOf(all[mid]!.metadata.namespace, all[mid]!.metadata.name) < tok.start) lo = mid + 1;
      else hi = mid;
    }
    items = all.slice(lo);
  }
  if (!limit || items.length <= limit) return { items, resourceVersion: rv };
  const page = items.slice(0, limit);
  const last = page[page.length - 1]!;
  const next = encode({ v: 'meta.k8s.io/v1', rv: Number(rv), start: keyOf(last.metadata.namespace, last.metadata.name) + '\u0000' });
  return {
    items: page,
    resourceVersion: rv,
    continue: next,
    ...(countRemaining ? { remainingItemCount: items.length - limit } : {}),
  };
}

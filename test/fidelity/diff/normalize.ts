// Normalises API answers so the real kube-apiserver's and the twin's can be compared:
// values that differ by nature (uids, timestamps, resourceVersions, managedFields, server
// generated names) become placeholders; everything else (status codes, reasons, field
// sets, generation, finalizers, deletion state) is kept, because that is what the tool
// relies on.

const volatileMeta = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'selfLink']);
const stampedMeta = new Set(['deletionTimestamp']);

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normMeta(meta: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (volatileMeta.has(k)) continue;
    if (stampedMeta.has(k)) out[k] = '<set>';
    else if (k === 'name' && typeof meta.generateName === 'string' && typeof v === 'string' && v.startsWith(meta.generateName)) out[k] = `${meta.generateName}<random>`;
    else if (k === 'ownerReferences' && Array.isArray(v)) out[k] = v.map((r) => normalize({ ...(r as object), uid: undefined }));
    else out[k] = normalize(v);
  }
  return out;
}

/** A deep copy with the volatile parts replaced; object keys sorted for stable diffs. */
export function normalize(v: unknown): Json {
  if (Array.isArray(v)) return v.map(normalize);
  if (!isObject(v)) return v === undefined ? null : (v as Json);
  const out: Record<string, Json> = {};
  for (const k of Object.keys(v).sort()) {
    const val = v[k];
    if (val === undefined) continue;
    if (k === 'metadata' && isObject(val)) out[k] = normMeta(val);
    // Timestamps inside status (conditions, Events) are the server's clock.
    else if (/(Time|Timestamp)$/.test(k) && typeof val === 'string') out[k] = '<time>';
    else if (k === 'uid' && typeof val === 'string') out[k] = '<uid>';
    else out[k] = normalize(val);
  }
  return out;
}

/** Messages that end in a go-cmp diff (a refused pod spec change) keep only their first line. */
export function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}

function causeShape(c: unknown): unknown {
  return isObject(c) && typeof c.message === 'string' ? { ...c, message: firstLine(c.message) } : c;
}

/** The parts of a metav1.Status the tool branches on; the message is kept apart (see below). */
export function statusShape(body: unknown): Json {
  if (!isObject(body) || body.kind !== 'Status') return null;
  const details = isObject(body.details) ? body.details : undefined;
  return normalize({
    status: body.status,
    reason: body.reason,
    code: body.code,
    // An empty details ({}) says nothing; kube-apiserver sends one on some failures.
    details: details && Object.keys(details).length ? { name: details.name, group: details.group, kind: details.kind, causes: Array.isArray(details.causes) ? details.causes.map(causeShape) : details.causes } : undefined,
  });
}

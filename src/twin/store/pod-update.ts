// kube-apiserver's ValidatePodUpdate (v1.34): once created, a Pod's spec is fixed but for
// container and init-container images, activeDeadlineSeconds (set, or lowered), additions
// to tolerations (and their tolerationSeconds), removal of scheduling gates, and a grace
// period of 1 replacing a negative one. spec.nodeName is set only through pods/binding
// (Store.bind), so schedulers and kubelets cannot move a pod by writing it.
import { StatusError } from './errors.js';
import type { KObject } from './types.js';

type Obj = Record<string, unknown>;

interface Cause {
  reason: 'FieldValueForbidden' | 'FieldValueInvalid' | 'FieldValueRequired';
  field: string;
  message: string;
}

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const specOf = (pod: KObject): Obj => (isObj(pod.spec) ? pod.spec : {});
const listOf = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Throws 422 Invalid, shaped as kube-apiserver's, when `next` changes an immutable part of `cur`'s spec. */
export function validatePodUpdate(next: KObject, cur: KObject): void {
  const causes = podUpdateCauses(specOf(next), specOf(cur));
  if (causes.length === 0) return;
  // Upstream's aggregate error says each distinct message once.
  const texts = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const text = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  throw new StatusError(422, 'Invalid', `Pod "${next.metadata.name}" is invalid: ${text}`, {
    name: next.metadata.name,
    kind: 'Pod',
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

/** The create-time spec validation that an update runs too (only what the twin's writers can get wrong). */
function podSpecCauses(spec: Obj): Cause[] {
  const causes: Cause[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    listOf(spec[list]).forEach((c, i) => {
      if (!c.image) causes.push({ reason: 'FieldValueRequired', field: `spec.${list}[${i}].image`, message: 'Required value' });
    });
  }
  return causes;
}

function podUpdateCauses(next: Obj, cur: Obj): Cause[] {
  const causes: Cause[] = podSpecCauses(next);
  for (const list of ['containers', 'initContainers'] as const) {
    const n = listOf(next[list]);
    if (n.length !== listOf(cur[list]).length) return [{ reason: 'FieldValueForbidden', field: `spec.${list}`, message: 'Forbidden: pod updates may not add or remove containers' }];
    n.forEach((c, i) => {
      const image = typeof c.image === 'string' ? c.image : '';
      if (!image) causes.push({ reason: 'FieldValueRequired', field: `spec.${list}[${i}].image`, message: 'Required value' });
      else if (image.trim() !== image) causes.push({ reason: 'FieldValueInvalid', field: `spec.${list}[${i}].image`, message: `Invalid value: "${image}": must not have leading or trailing whitespace` });
    });
  }
  const deadline = deadlineCause(next.activeDeadlineSeconds, cur.activeDeadlineSeconds);
  if (deadline) return [...causes, deadline];
  if (!keepsTolerations(listOf(next.tolerations), listOf(cur.tolerations))) {
    causes.push({ reason: 'FieldValueForbidden', field: 'spec.tolerations', message: 'Forbidden: existing toleration can not be modified except its tolerationSeconds' });
  }
  const changed = changedFields(munged(next, cur), cur);
  if (changed.length) {
    causes.push({ reason: 'FieldValueForbidden', field: 'spec', message: `Forbidden: pod updates may not change fields other than ${updatableFields.join(',')}\n${changed.join('\n')}` });
  }
  return causes;
}

function deadlineCause(next: unknown, cur: unknown): Cause | undefined {
  const field = 'spec.activeDeadlineSeconds';
  if (typeof next === 'number') {
    if (next < 0 || next > 2 ** 31 - 1) return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${next}: must be between 0 and 2147483647, inclusive` };
    if (typeof cur === 'number' && cur < next) return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${next}: must be less than or equal to previous value` };
    return undefined;
  }
  if (typeof cur === 'number') return { reason: 'FieldValueInvalid', field, message: 'Invalid value: "null": must not update from a positive integer to nil value' };
  return undefined;
}

/** Every existing toleration is still there (its tolerationSeconds may change). */
function keepsTolerations(next: Obj[], cur: Obj[]): boolean {
  const withoutSeconds = ({ tolerationSeconds: _s, ...t }: Obj) => t;
  return cur.every((old) => next.some((n) => semanticEqual(withoutSeconds(n), withoutSeconds(old))));
}

/** The new spec with its updatable fields taken from the old one, as upstream munges it before comparing. */
function munged(next: Obj, cur: Obj): Obj {
  const out: Obj = { ...next };
  for (const list of ['containers', 'initContainers'] as const) {
    const old = listOf(cur[list]);
    if (Array.isArray(next[list])) out[list] = listOf(next[list]).map((c, i) => ({ ...c, image: old[i]?.image }));
  }
  out.activeDeadlineSeconds = cur.activeDeadlineSeconds;
  out.schedulingGates = cur.schedulingGates;
  out.tolerations = cur.tolerations;
  const oldGrace = cur.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && next.terminationGracePeriodSeconds === 1) out.terminationGracePeriodSeconds = oldGrace;
  return out;
}

/** `spec.<field>: <old> → <new>` for each top-level spec field that differs. */
function changedFields(next: Obj, cur: Obj): string[] {
  const keys = [...new Set([...Object.keys(cur), ...Object.keys(next)])].sort();
  return keys.filter((k) => !semanticEqual(next[k], cur[k])).map((k) => `spec.${k}: ${JSON.stringify(cur[k]) ?? 'unset'} → ${JSON.stringify(next[k]) ?? 'unset'}`);
}

/** Equality as apimachinery's Semantic.DeepEqual sees decoded JSON: key order is no difference, and null, [] and {} equal a missing value. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
}

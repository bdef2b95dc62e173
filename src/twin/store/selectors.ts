// Label and field selectors, in the syntax kube-apiserver accepts (equality and set-based).
// Hand-written: no maintained npm package parses Kubernetes selectors server-side.
import { StatusError } from './errors.js';
import type { KObject } from './types.js';

export type Predicate = (obj: KObject) => boolean;

interface Requirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseRequirement(term: string): Requirement {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) };
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
  m = /^!([\w./-]+)$/.exec(term);
  if (m) return { key: m[1]!, op: '!exists', values: [] };
  m = /^([\w./-]+)$/.exec(term);
  if (m) return { key: m[1]!, op: 'exists', values: [] };
  throw new StatusError(400, 'BadRequest', `unable to parse requirement: "${term}"`);
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case '=':
      return value === r.values[0];
    case '!=':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

export function labelSelector(selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true;
  const reqs = splitTopLevel(selector).map(parseRequirement);
  return (obj) => reqs.every((r) => matches(r, obj.metadata.labels?.[r.key]));
}

/** Reads a dotted path such as "spec.nodeName" or "status.phase". */
function fieldValue(obj: KObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'string' ? cur : String(cur);
}

export function fieldSelector(selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true;
  const reqs = splitTopLevel(selector).map((term) => {
    const r = parseRequirement(term);
    if (r.op !== '=' && r.op !== '!=') {
      throw new StatusError(400, 'BadRequest', `invalid field selector: "${term}": only =, == and != are supported`);
    }
    return r;
  });
  // An unset field compares as "" (metadata.namespace of a cluster object, spec.nodeName of a pending pod).
  return (obj) => reqs.every((r) => matches(r, fieldValue(obj, r.key) ?? ''));
}

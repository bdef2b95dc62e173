// Small helpers the verification rules share: building a Difference, pairing two lists.
import type { Json } from '../engine/types.js';
import type { Difference, Severity } from './verify.js';

export function difference(rule: string, severity: Severity, path: string, before: Json, after: Json, explanation: string): Difference {
  return { rule, severity, path, before, after, explanation };
}

/** Keyed lookup helper: pairs items of two lists by key. */
export function pairBy<T>(before: readonly T[], after: readonly T[], key: (t: T) => string): { key: string; b?: T; a?: T }[] {
  const keys = new Map<string, { key: string; b?: T; a?: T }>();
  for (const b of before) keys.set(key(b), { key: key(b), b });
  for (const a of after) {
    const k = key(a);
    const e = keys.get(k);
    if (e) e.a = a;
    else keys.set(k, { key: k, a });
  }
  return [...keys.values()];
}

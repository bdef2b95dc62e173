// Keeps secrets out of snapshots and reports. Harvester settings carry credentials in
// plain sight: `http-proxy` URLs with user:password, `containerd-registry` auth blocks,
// `backup-target` S3 keys, and the Rancher registration token in
// `cluster-registration-url`. Masking happens at capture, so a snapshot file on disk is
// already clean; comparisons still work because both sides are masked the same way.
import { createHash } from 'node:crypto';
import type { Json } from '../engine/types.js';

export const Masked = '***';

/** Keys whose values are credentials wherever they appear (JSON settings, facts). */
const secretKey = /pass(word|wd|phrase)?$|secret|token|credential|private.?key|access.?key|^auth$|^authorization$|^cookie$/i;

/** PEM blocks and the like: never worth showing. */
const pemBlock = /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g;

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}

/** Short, non-reversible fingerprint of a high-entropy value, so a change is still visible. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

/** Masks the password of any scheme://user:password@host in a string, and PEM blocks. */
export function redactText(text: string): string {
  return text
    .replace(pemBlock, Masked)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+):([^\s/@]+)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:${Masked}@`);
}

/** Redacts any JSON value: secret-looking keys are masked, strings go through redactText. */
export function redactJson(value: Json): Json {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      // A secret-named object ("Auth": {Username, Password}) is searched, not dropped whole.
      const scalar = v === null || typeof v !== 'object';
      out[k] = scalar && isSecretKey(k) && v !== '' && v !== null ? Masked : redactJson(v);
    }
    return out;
  }
  return value;
}

/** Every string in a plain-data value through redactText (idempotent; keys untouched). */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map(redactStrings) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)])) as T;
  }
  return value;
}

/**
 * A setting value as it may be stored and shown. JSON values are redacted field by field;
 * the registration URL keeps only its origin plus a fingerprint of the whole (the token
 * sits in its path).
 */
export function redactSetting(name: string, value: string): string {
  if (value === '') return value;
  if (name === 'cluster-registration-url') {
    let origin = 'url';
    try {
      origin = new URL(value).origin;
    } catch {
      // not a URL: still only the fingerprint is kept
    }
    return `${origin}/… (${fingerprint(value)})`;
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(trimmed) as Json));
    } catch {
      // not JSON after all: fall through to text redaction
    }
  }
  return redactText(value);
}

// Keeps secrets out of the journal, snapshots and reports. Harvester settings carry
// credentials in plain sight: `http-proxy` URLs with user:password, `containerd-registry`
// auth blocks, `backup-target` S3 keys, and the Rancher registration token in
// `cluster-registration-url`. Masking happens at capture, so nothing on disk ever held
// them. With a salt (the cluster's kube-system UID) a masked secret carries a slow,
// salted digest: two captures of the same cluster mask an unchanged secret identically
// and a changed one differently, so the before/after comparison still sees a change,
// while the digest costs an attacker with the journal an scrypt run per guess.
import { createHash, scryptSync } from 'node:crypto';

export const Masked = '***';

/** The JSON values redactJson walks (the engine's Json, without depending on it). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface RedactOptions {
  /** Salt for the digest of masked secrets; without it a secret becomes just "***". */
  salt?: string;
}

/** Keys whose values are credentials wherever they appear (JSON settings, facts). */
const secretKey = /pass(word|wd|phrase)?$|secret|token|credential|private.?key|access.?key|^auth$|^authorization$|^cookie$/i;

/** PEM blocks and the like: never worth showing. */
const pemBlock = /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g;

/** A value this module produced: masking it again must keep its digest (idempotence). */
const alreadyMasked = /^\*\*\*(~[A-Za-z0-9_-]{12})?$/;

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}

/** Short, non-reversible fingerprint of a high-entropy value, so a change is still visible. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

// scrypt is deliberately slow; the same secret is masked in every snapshot of a run.
const digests = new Map<string, string>();

/** "***", or "***~<digest>" with a salt: equal for equal secrets under the same salt. */
export function maskSecret(secret: string, opts: RedactOptions = {}): string {
  if (alreadyMasked.test(secret)) return secret;
  if (opts.salt === undefined) return Masked;
  // The memo is keyed by a fast hash so the process never holds the secret as a map key.
  const key = createHash('sha256').update(opts.salt).update('\0').update(secret).digest('hex');
  let d = digests.get(key);
  if (d === undefined) {
    d = scryptSync(secret, `fallow-redact:${opts.salt}`, 9).toString('base64url');
    digests.set(key, d);
  }
  return `${Masked}~${d}`;
}

/** Masks the password of any scheme://user:password@host in a string, and PEM blocks. */
export function redactText(text: string, opts: RedactOptions = {}): string {
  return text
    .replace(pemBlock, Masked)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+):([^\s/@]+)@/gi, (_m, scheme: string, user: string, password: string) => `${scheme}${user}:${maskSecret(password, opts)}@`);
}

/** Redacts any JSON value: secret-looking keys are masked, strings go through redactText. */
export function redactJson<T extends JsonValue>(value: T, opts?: RedactOptions): T;
export function redactJson(value: JsonValue, opts: RedactOptions = {}): JsonValue {
  if (typeof value === 'string') return redactText(value, opts);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, opts));
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      // A secret-named object ("Auth": {Username, Password}) is searched, not dropped whole.
      const scalar = v === null || typeof v !== 'object';
      out[k] = scalar && isSecretKey(k) && v !== '' && v !== null ? maskSecret(String(v), opts) : redactJson(v, opts);
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
 * sits in its path, and is long and random, so a fast hash is enough).
 */
export function redactSetting(name: string, value: string, opts: RedactOptions = {}): string {
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
      return JSON.stringify(redactJson(JSON.parse(trimmed) as JsonValue, opts));
    } catch {
      // not JSON after all: fall through to text redaction
    }
  }
  return redactText(value, opts);
}

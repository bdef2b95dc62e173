// Keeps secrets out of the journal, snapshots and reports. Harvester settings carry
// credentials in plain sight: `http-proxy` URLs with user:password, `containerd-registry`
// auth blocks, `backup-target` S3 keys, and the Rancher registration token in
// `cluster-registration-url`. Masking happens at capture, so nothing on disk ever held
// them. A masked secret may carry a slow digest, `***~<12 chars>`, so two captures of the
// same cluster mask an unchanged secret identically and a changed one differently and the
// before/after comparison still sees a change without showing the secret. Two schemes:
// - keyed (current): scrypt(secret, salt = HMAC-SHA256(redaction key, "fallow-redact/v2:" +
//   kube-system UID)). The 32-byte key lives in fallow's state root (../journal/redaction-key.ts)
//   and never in a journal or report, so a shared report or journal gives an attacker no
//   salt to test a guess against; with the state root too, each guess still costs an scrypt.
// - UID-salted (legacy, fallow before the key): scrypt(secret, "fallow-redact:" + UID). The
//   UID sits in every journal, so this one is only kept to compare with runs it recorded.
// Both write the same marker on purpose: `***~` + 12 base64url characters is what this
// module's idempotence rule (and that of every earlier fallow) recognises as already
// masked, so re-masking a value from either scheme keeps its digest. Which scheme and key
// made a digest is therefore recorded beside it (./redaction.ts), never read off the value.
import { createHash, createHmac, scryptSync } from 'node:crypto';
import { inspect } from 'node:util';

export const Masked = '***';

/** The JSON values redactJson walks (the engine's Json, without depending on it). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface RedactOptions {
  /** The cluster's kube-system UID; without it a secret becomes just "***". */
  salt?: string;
  /** With a salt: digests keyed by this state root's key (the current scheme); without, UID-salted (legacy). */
  key?: RedactionKey;
}

/** Key bytes a RedactionKey holds: exactly this many, random. */
export const RedactionKeyBytes = 32;

/**
 * The state root's redaction key. Its bytes never leave this object except to be written
 * to its own file (../journal/redaction-key.ts); printing or serialising it shows only its
 * id, a fingerprint that tells nothing about the bytes (they are random, 256 bits).
 */
export class RedactionKey {
  readonly id: string;
  readonly #material: Buffer;

  constructor(material: Uint8Array) {
    if (material.length !== RedactionKeyBytes) throw new RangeError(`a redaction key is ${RedactionKeyBytes} bytes, not ${material.length}`);
    this.#material = Buffer.from(material);
    this.id = createHash('sha256').update('fallow-redaction-key-id\0').update(this.#material).digest('hex').slice(0, 16);
  }

  /**
   * scrypt's salt for one cluster. Deriving the salt (not pre-hashing the secret) keeps the
   * secret scrypt's only input, costs one HMAC per cluster rather than per secret, and
   * makes the salt 256 unknown bits to anyone without the key file.
   */
  saltFor(uid: string): Buffer {
    return createHmac('sha256', this.#material).update(`fallow-redact/v2:${uid}`).digest();
  }

  /** The bytes, for writing the key file only. */
  materialForKeyFile(): Buffer {
    return Buffer.from(this.#material);
  }

  toString(): string {
    return `redaction key ${this.id}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
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

/** A masked secret's digest anywhere in a value (a URL password, a JSON string). */
const digestInText = /\*\*\*~[A-Za-z0-9_-]{12}(?![A-Za-z0-9_-])/g;

/** `text` with every digest dropped ("***~abc…" → "***"): what is left compares under any scheme. */
export function stripDigests(text: string): string {
  return text.replace(digestInText, Masked);
}

// scrypt is deliberately slow; the same secret is masked in every snapshot of a run.
const digests = new Map<string, string>();

/** "***", or "***~<digest>" with a salt: equal for equal secrets under the same salt and key. */
export function maskSecret(secret: string, opts: RedactOptions = {}): string {
  if (alreadyMasked.test(secret)) return secret;
  if (opts.salt === undefined) return Masked;
  // The memo is keyed by a fast hash so the process never holds the secret as a map key;
  // the key's id (not its bytes) keeps the two schemes' digests apart.
  const scheme = opts.key ? `v2:${opts.key.id}` : 'uid';
  const memo = createHash('sha256').update(scheme).update('\0').update(opts.salt).update('\0').update(secret).digest('hex');
  let d = digests.get(memo);
  if (d === undefined) {
    const salt = opts.key ? opts.key.saltFor(opts.salt) : `fallow-redact:${opts.salt}`;
    d = scryptSync(secret, salt, 9).toString('base64url');
    digests.set(memo, d);
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

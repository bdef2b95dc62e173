// The redact guard: callers register the secrets they load (passwords, keys, tokens) and
// the journal refuses to write a line containing one. Free text that may quote a secret
// (error messages) is scrubbed before it is journaled, so a failure can still be recorded.
// Patterns catch secrets nobody registered: private keys and bearer tokens (JWTs).
import { SecretLeakError } from './errors.js';
import { UsageError } from '../common/errors.js';

const MIN_SECRET_LENGTH = 4;
const REDACTED = '[redacted]';

interface Entry {
  label: string;
  match: (text: string) => boolean;
  scrub: (text: string) => string;
}

function literal(secret: string, label: string): Entry {
  // A JSON line carries the secret escaped, so look for both spellings.
  const forms = [...new Set([secret, JSON.stringify(secret).slice(1, -1)])];
  return {
    label,
    match: (text) => forms.some((f) => text.includes(f)),
    scrub: (text) => forms.reduce((t, f) => t.split(f).join(REDACTED), text),
  };
}

function pattern(re: RegExp, label: string): Entry {
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  return {
    label,
    match: (text) => new RegExp(re.source, re.flags.replace('g', '')).test(text),
    scrub: (text) => text.replace(global, REDACTED),
  };
}

export const defaultSecretPatterns: readonly { re: RegExp; label: string }[] = [
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, label: 'a private key' },
  { re: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, label: 'a bearer token (JWT)' },
];

export class SecretRegistry {
  private readonly entries: Entry[] = [];

  constructor(patterns: readonly { re: RegExp; label: string }[] = defaultSecretPatterns) {
    for (const p of patterns) this.entries.push(pattern(p.re, p.label));
  }

  /** Registers a secret value; `label` names it in refusals ("IPMI password of harv41"). */
  register(secret: string, label: string): void {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new UsageError(
        `The ${label} is shorter than ${MIN_SECRET_LENGTH} characters, too short to keep out of logs reliably`,
        'Use a longer credential',
      );
    }
    this.entries.push(literal(secret, label));
  }

  registerPattern(re: RegExp, label: string): void {
    this.entries.push(pattern(re, label));
  }

  /** The label of the first secret found in `text`, if any. */
  find(text: string): string | undefined {
    return this.entries.find((e) => e.match(text))?.label;
  }

  /** `text` with every known secret replaced by "[redacted]". */
  scrub(text: string): string {
    return this.entries.reduce((t, e) => e.scrub(t), text);
  }

  /** Throws (without quoting the secret) when `text` holds one; `where` names the field. */
  assertClean(text: string, where: string): void {
    const label = this.find(text);
    if (label !== undefined) {
      throw new SecretLeakError(
        `Refused to write ${label} to ${where}`,
        'This is a bug in the step that produced the value: report it; the secret was not written',
      );
    }
  }
}

/** The process-wide registry the journal uses unless given another one. */
export const secrets = new SecretRegistry();

/** Registers a secret with the process-wide registry. */
export function registerSecret(secret: string, label: string): void {
  secrets.register(secret, label);
}

// The state root's redaction key (../common/redact.ts keys the digests of masked secrets
// with it): 32 random bytes in <root>/redaction.key, mode 0600, made on first need by a
// shutdown. It sits beside the journals, never in them: a journal or report handed on
// (a support ticket) carries digests nobody can test a guessed password against.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { RedactionKey, RedactionKeyBytes } from '../common/redact.js';
import { KeyedScheme, RedactionKeyFile, UidSalted, type RedactionPlan, type RedactionStamp } from '../common/redaction.js';
import { ensurePrivateDir, fsyncDir } from './paths.js';
import { secrets } from './secrets.js';

// A header line makes a truncated or foreign file recognisable as not ours.
const Header = 'fallow-redaction-key/v1';
const KeyLine = /^fallow-redaction-key\/v1 ([A-Za-z0-9_-]{43})\n?$/;

export function redactionKeyPath(stateRoot: string): string {
  return join(stateRoot, RedactionKeyFile);
}

/** The key, or undefined when the file does not exist; a damaged or exposed file is refused. */
export function loadRedactionKey(stateRoot: string): RedactionKey | undefined {
  const path = redactionKeyPath(stateRoot);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read the redaction key file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, `Make it readable by this user (chmod 600 ${path})`);
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new UsageError(`The redaction key file ${path} is readable by other users`, `Run \`chmod 600 ${path}\`, then run fallow again`);
  }
  const m = KeyLine.exec(text);
  const bytes = m?.[1] ? Buffer.from(m[1], 'base64url') : undefined;
  if (!bytes || bytes.length !== RedactionKeyBytes) {
    // Never quote the content: it may be most of a key.
    throw new UsageError(
      `The redaction key file ${path} is corrupt (expected one line "${Header} <${RedactionKeyBytes} bytes, base64url>"); nothing was changed`,
      `Put back an intact copy of it if you have one; otherwise move it aside (mv ${path} ${path}.corrupt) and run fallow again: a new key is made, and runs recorded with the old one report their secret settings as "cannot compare"`,
    );
  }
  guard(bytes);
  return new RedactionKey(bytes);
}

const guarded = new Set<string>();

/** Defence in depth: the journal refuses any line holding the key, in either spelling. */
function guard(bytes: Buffer): void {
  const b64 = bytes.toString('base64url');
  if (guarded.has(b64)) return;
  guarded.add(b64);
  secrets.register(b64, 'the redaction key');
  secrets.register(bytes.toString('hex'), 'the redaction key');
}

/** The key, made now if the state root has none. Safe against a concurrent fallow doing the same. */
export function ensureRedactionKey(stateRoot: string): RedactionKey {
  const existing = loadRedactionKey(stateRoot);
  if (existing) return existing;
  ensurePrivateDir(stateRoot);
  const path = redactionKeyPath(stateRoot);
  // Written whole under a private name, then linked into place: a reader never sees half a
  // key, and if another process linked its key first, link fails and theirs is used.
  const tmp = join(stateRoot, `.${RedactionKeyFile}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${Header} ${randomBytes(RedactionKeyBytes).toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(stateRoot);
  const key = loadRedactionKey(stateRoot);
  if (!key) throw new Error(`redaction key ${path} vanished right after it was written`);
  return key;
}

/**
 * How to mask a capture that will be compared with one recorded under `recorded`: the same
 * scheme and key, or — the key is not in this state root (deleted, or the state directory
 * copied without it) — no digests at all, which the comparison reports as "cannot compare".
 */
export function redactionToCompareWith(recorded: RedactionStamp | undefined, stateRoot: string): RedactionPlan {
  if (recorded === undefined) return UidSalted;
  const key = loadRedactionKey(stateRoot);
  if (recorded.scheme === KeyedScheme && key?.id === recorded.keyId) return { kind: 'keyed', key };
  return { kind: 'key-missing', keyId: recorded.keyId, stateRoot };
}

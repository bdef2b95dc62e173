// The state root's redaction key file: made once, private, read back the same; a damaged
// or exposed file is refused with what to do and left as it was; a comparison with a run
// recorded under another key, or none, masks without digests.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { KeyedScheme, UidSalted } from '../../src/common/redaction.js';
import { ensureRedactionKey, loadRedactionKey, redactionKeyPath, redactionToCompareWith } from '../../src/journal/redaction-key.js';
import { secrets } from '../../src/journal/secrets.js';

function thrown(attempt: () => unknown): UsageError {
  try {
    attempt();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('redaction key file', () => {
  let root: string;
  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), 'fallow-key-')), 'state');
  });
  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('is made on first need, mode 0600 in a 0700 root, and read back as the same key', () => {
    expect(loadRedactionKey(root)).toBeUndefined();
    const made = ensureRedactionKey(root);
    expect(statSync(redactionKeyPath(root)).mode & 0o777).toBe(0o600);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(ensureRedactionKey(root).id).toBe(made.id);
    expect(loadRedactionKey(root)?.id).toBe(made.id);
    expect(readdirSync(root)).toEqual(['redaction.key']); // no temporary file left behind
  });

  it('gives each state root its own key', () => {
    const other = join(root, '..', 'other');
    expect(ensureRedactionKey(other).id).not.toBe(ensureRedactionKey(root).id);
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, 30)],
    ['empty', () => ''],
    ['a foreign file', () => 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB\n'],
    ['a key of the wrong size', (t: string) => t.replace(/ [A-Za-z0-9_-]+/, ` ${Buffer.alloc(16, 7).toString('base64url')}`)],
  ])('refuses a corrupt file (%s), says what to do, and changes nothing', (_name, damage) => {
    ensureRedactionKey(root);
    const path = redactionKeyPath(root);
    const damaged = damage(readFileSync(path, 'utf8'));
    writeFileSync(path, damaged, { mode: 0o600 });
    for (const attempt of [() => loadRedactionKey(root), () => ensureRedactionKey(root), () => redactionToCompareWith({ scheme: KeyedScheme, keyId: 'k' }, root)]) {
      const u = thrown(attempt);
      expect(u.message).toContain(`The redaction key file ${path} is corrupt`);
      expect(u.hint).toContain(`mv ${path} ${path}.corrupt`);
      if (damaged.length > 4) expect(`${u.message} ${u.hint}`).not.toContain(damaged.trim().split(' ').at(-1));
    }
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });

  it('refuses a key file other users can read, naming the chmod', () => {
    ensureRedactionKey(root);
    const path = redactionKeyPath(root);
    chmodSync(path, 0o644);
    expect(thrown(() => loadRedactionKey(root)).hint).toContain(`chmod 600 ${path}`);
  });

  it('compares as the recorded run masked: legacy, the same key, or no digests when the key is not there', () => {
    expect(redactionToCompareWith(undefined, root)).toEqual(UidSalted);
    const recorded = { scheme: KeyedScheme, keyId: ensureRedactionKey(root).id };
    const same = redactionToCompareWith(recorded, root);
    expect(same.kind === 'keyed' && same.key.id).toBe(recorded.keyId);
    rmSync(redactionKeyPath(root));
    expect(redactionToCompareWith(recorded, root)).toEqual({ kind: 'key-missing', keyId: recorded.keyId, stateRoot: root });
    ensureRedactionKey(root); // another key in its place (a state dir copied without it, then a new shutdown)
    expect(redactionToCompareWith(recorded, root)).toEqual({ kind: 'key-missing', keyId: recorded.keyId, stateRoot: root });
  });
});

describe('redaction key and the journal', () => {
  it('once loaded, the journal refuses a line holding it, in base64url or hex', () => {
    const root = mkdtempSync(join(tmpdir(), 'fallow-key-'));
    try {
      ensureRedactionKey(root);
      const token = readFileSync(redactionKeyPath(root), 'utf8').trim().split(' ')[1]!;
      const hex = Buffer.from(token, 'base64url').toString('hex');
      expect(secrets.find(`{"leak":"${token}"}`)).toBe('the redaction key');
      expect(secrets.find(`{"leak":"${hex}"}`)).toBe('the redaction key');
      expect(secrets.scrub(`key ${token}`)).toBe('key [redacted]');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

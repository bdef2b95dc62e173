// The keyed digest scheme: a digest needs the state root's key to be reproduced, the key
// never shows when printed or serialised, and captures under different schemes or keys are
// recognised as not comparable rather than compared digest by digest.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { maskSecret, RedactionKey, redactSetting, redactText, stripDigests } from '../../src/common/redact.js';
import { digestMismatch, KeyedScheme, NoDigestScheme, redactOptionsFor, stampOf, UidSalted } from '../../src/common/redaction.js';

const uid = '6f1c2d3e-0000-4000-8000-000000000001';
const keyA = new RedactionKey(randomBytes(32));
const keyB = new RedactionKey(randomBytes(32));
const digestOf = (masked: string) => /^\*\*\*~([A-Za-z0-9_-]{12})$/.exec(masked)?.[1];

describe('keyed digests', () => {
  it('are stable under one key and UID, and change with the secret, the key or the cluster', () => {
    const a = maskSecret('hunter22', { salt: uid, key: keyA });
    expect(digestOf(a)).toBeDefined();
    expect(maskSecret('hunter22', { salt: uid, key: keyA })).toBe(a);
    expect(maskSecret('hunter23', { salt: uid, key: keyA })).not.toBe(a);
    expect(maskSecret('hunter22', { salt: uid, key: keyB })).not.toBe(a);
    expect(maskSecret('hunter22', { salt: 'another-uid', key: keyA })).not.toBe(a);
  });

  it('cannot be reproduced from the UID and the secret alone (the legacy scheme gives another digest)', () => {
    const keyed = maskSecret('hunter22', { salt: uid, key: keyA });
    expect(maskSecret('hunter22', { salt: uid })).not.toBe(keyed);
    // the same key bytes loaded again reproduce it: the digest depends on the key, not on the object
    expect(maskSecret('hunter22', { salt: uid, key: new RedactionKey(keyA.materialForKeyFile()) })).toBe(keyed);
  });

  it('keep the marker every fallow treats as already masked, so masking again keeps them', () => {
    const v = redactSetting('http-proxy', '{"httpProxy":"http://ops:p4ss@proxy:3128"}', { salt: uid, key: keyA });
    const masked = /ops:(\*\*\*~[A-Za-z0-9_-]{12})@/.exec(v)?.[1];
    expect(masked).toBeDefined();
    expect(redactText(v)).toBe(v);
    expect(maskSecret(masked!, { salt: uid, key: keyB })).toBe(masked);
    // the idempotence rule of fallow up to 659db74, verbatim
    expect(/^\*\*\*(~[A-Za-z0-9_-]{12})?$/.test(masked!)).toBe(true);
  });

  it('never print or serialise the key bytes', () => {
    const material = keyA.materialForKeyFile();
    const shown = [String(keyA), JSON.stringify({ keyA }), inspect(keyA), inspect({ nested: { keyA } }), JSON.stringify(redactOptionsFor({ kind: 'keyed', key: keyA }, uid))];
    for (const text of shown) {
      expect(text).toContain(keyA.id);
      for (const form of [material.toString('hex'), material.toString('base64'), material.toString('base64url')]) expect(text).not.toContain(form);
    }
  });

  it('refuse key material of the wrong size', () => {
    expect(() => new RedactionKey(randomBytes(31))).toThrow(/32 bytes, not 31/);
  });
});

describe('schemes and their stamps', () => {
  it('stamp keyed captures with the key id, legacy ones not at all', () => {
    expect(stampOf({ kind: 'keyed', key: keyA })).toEqual({ scheme: KeyedScheme, keyId: keyA.id });
    expect(stampOf(UidSalted)).toBeUndefined();
    expect(stampOf({ kind: 'key-missing', keyId: keyA.id, stateRoot: '/s' })).toEqual({ scheme: NoDigestScheme, keyId: keyA.id, stateRoot: '/s' });
  });

  it('mask without a digest when the key is missing or the UID unknown', () => {
    expect(maskSecret('hunter22', redactOptionsFor({ kind: 'key-missing', keyId: keyA.id, stateRoot: '/s' }, uid))).toBe('***');
    expect(maskSecret('hunter22', redactOptionsFor({ kind: 'keyed', key: keyA }, undefined))).toBe('***');
  });

  it.each([
    ['both legacy', undefined, undefined, undefined],
    ['same key', { scheme: KeyedScheme, keyId: 'k1' }, { scheme: KeyedScheme, keyId: 'k1' }, undefined],
    ['key not found', { scheme: KeyedScheme, keyId: 'k1' }, { scheme: NoDigestScheme, keyId: 'k1', stateRoot: '/s' }, 'cannot compare: recorded with redaction key k1, not found in /s'],
    ['another key', { scheme: KeyedScheme, keyId: 'k1' }, { scheme: KeyedScheme, keyId: 'k2' }, 'cannot compare: recorded with redaction key k1, captured now with redaction key k2'],
    ['legacy against keyed', undefined, { scheme: KeyedScheme, keyId: 'k2' }, 'cannot compare: recorded with UID-salted digests (fallow before the redaction key), captured now with redaction key k2'],
  ] as const)('digestMismatch: %s', (_name, before, after, expected) => {
    expect(digestMismatch(before, after)).toBe(expected);
  });

  it('stripDigests drops digests wherever they sit and nothing else', () => {
    expect(stripDigests('{"Password":"***~abcdefghijkl","p":"http://u:***~ABCDEFGHIJ_-@h"}')).toBe('{"Password":"***","p":"http://u:***@h"}');
    expect(stripDigests('***~abcdefghijklm')).toBe('***~abcdefghijklm');
    expect(stripDigests('plain ***')).toBe('plain ***');
  });
});

import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/journal/secrets.js';
import { SecretLeakError } from '../../src/journal/errors.js';
import { UsageError } from '../../src/common/errors.js';
import { tempDirs } from '../engine/helpers/tmp.js';
import { newJournal } from './helpers.js';
import { readFileSync } from 'node:fs';

const tmp = tempDirs();

describe('redact guard', () => {
  it('refuses to journal a registered secret, without quoting it', () => {
    const reg = new SecretRegistry();
    reg.register('hunter2-ipmi', 'IPMI password of harv41');
    const j = newJournal(tmp(), { secrets: reg });
    let err: unknown;
    try {
      j.append({ type: 'fact', key: 'bmc', value: { user: 'admin', password: 'hunter2-ipmi' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretLeakError);
    expect((err as Error).message).toBe('Refused to write IPMI password of harv41 to the journal (fact "bmc")');
    expect(readFileSync(j.file, 'utf8')).not.toContain('hunter2');
    expect(j.records).toHaveLength(1);
    j.append({ type: 'fact', key: 'ok', value: 1 }); // the journal goes on, seq unbroken
    expect(j.records.at(-1)?.seq).toBe(2);
  });

  it('finds a secret in its JSON-escaped spelling too', () => {
    const reg = new SecretRegistry();
    reg.register('pa"ss\\word', 'password');
    const j = newJournal(tmp(), { secrets: reg });
    expect(() => j.append({ type: 'warning', message: 'login with pa"ss\\word failed' })).toThrow(SecretLeakError);
  });

  it('catches private keys and bearer tokens nobody registered', () => {
    const j = newJournal(tmp(), { secrets: new SecretRegistry() });
    expect(() => j.append({ type: 'fact', key: 'k', value: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc' })).toThrow(/a private key/);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl';
    expect(() => j.append({ type: 'fact', key: 'k', value: `Bearer ${jwt}` })).toThrow(/bearer token/);
  });

  it('scrubs free text so a failure can still be journaled', () => {
    const reg = new SecretRegistry();
    reg.register('s3cr3t-token', 'API token');
    expect(reg.scrub('GET https://x/?token=s3cr3t-token failed; retry with s3cr3t-token')).toBe(
      'GET https://x/?token=[redacted] failed; retry with [redacted]',
    );
  });

  it('refuses to register a secret too short to find reliably', () => {
    expect(() => new SecretRegistry().register('abc', 'PIN')).toThrow(UsageError);
  });
});

// Credentials come from a file or an env var, and the password never prints.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError, formatError } from '../../src/common/errors.js';
import { Secret, loadCredentials } from '../../src/guard/credentials.js';

describe('loadCredentials', () => {
  it('reads the first line of the password file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guard-cred-'));
    const file = join(dir, 'pw');
    await writeFile(file, 's3cret pass\n', { mode: 0o600 });
    const c = await loadCredentials({ username: 'monuser', passwordFile: file });
    expect(c.username).toBe('monuser');
    expect(c.password.reveal()).toBe('s3cret pass');
  });

  it('reads an environment variable', async () => {
    const c = await loadCredentials({ username: 'monuser', passwordEnv: 'NUT_PW' }, { NUT_PW: 'envpw' });
    expect(c.password.reveal()).toBe('envpw');
  });

  it.each([
    [{ username: 'u' }, {}, /No NUT password given for user u/],
    [{ username: 'u', passwordEnv: 'NUT_PW' }, {}, /NUT_PW is not set/],
    [{ username: 'u', passwordEnv: 'NUT_PW' }, { NUT_PW: '' }, /is empty/],
    [{ username: 'u', passwordFile: '/nonexistent/pw' }, {}, /Cannot read the NUT password file \/nonexistent\/pw \(ENOENT\)/],
    [{ username: 'u', passwordFile: '/x', passwordEnv: 'Y' }, {}, /Both/],
    [{ username: '' }, {}, /user name is empty/],
  ])('refuses %o with a usage error', async (src, env, msg) => {
    const err = await loadCredentials(src, env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(formatError(err)).toMatch(msg);
  });
});

describe('Secret', () => {
  it('never shows its value in strings, JSON or inspect', () => {
    const sec = new Secret('hunter2');
    const shown = [String(sec), `${sec}`, JSON.stringify({ sec }), inspect({ sec }), inspect(sec, { showHidden: true })];
    for (const s of shown) expect(s).not.toContain('hunter2');
    expect(sec.reveal()).toBe('hunter2');
  });
});

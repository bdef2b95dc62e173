// known_hosts: plain, wildcard, negated, [host]:port and hashed (made by the real
// `ssh-keygen -H`) entries; revoked and changed keys; appending a new host.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  fingerprint,
  knownKeyAlgorithms,
  parseKnownHosts,
  readKnownHosts,
  verifyHostKey,
} from '../../src/power/known-hosts.js';

const run = promisify(execFile);

interface Key {
  type: string;
  b64: string;
  blob: Buffer;
  pubFile: string;
}

let dir: string;
let ed: Key;
let ed2: Key;
let rsa: Key;

async function keygen(name: string, type: 'ed25519' | 'rsa'): Promise<Key> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  const [t, b64] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/) as [string, string];
  return { type: t, b64, blob: Buffer.from(b64, 'base64'), pubFile: `${file}.pub` };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-kh-'));
  [ed, ed2, rsa] = await Promise.all([keygen('ed', 'ed25519'), keygen('ed2', 'ed25519'), keygen('rsa', 'rsa')]);
});

describe('verifyHostKey', () => {
  it('matches plain names, [host]:port, wildcards and negations', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        `10.0.0.1 ${ed.type} ${ed.b64}`,
        `[10.0.0.2]:2222 ${ed.type} ${ed.b64} some comment`,
        `10.0.1.*,!10.0.1.9 ${ed.type} ${ed.b64}`,
        'malformed-line-without-key',
      ].join('\n'),
    );
    expect(entries).toHaveLength(3);
    expect(verifyHostKey(entries, '10.0.0.1', 22, ed.blob)).toEqual({ kind: 'known', line: 3 });
    expect(verifyHostKey(entries, '10.0.0.2', 2222, ed.blob)).toEqual({ kind: 'known', line: 4 });
    // The same host on another port is another entry: unknown there.
    expect(verifyHostKey(entries, '10.0.0.2', 22, ed.blob)).toEqual({ kind: 'unknown' });
    expect(verifyHostKey(entries, '10.0.0.1', 2200, ed.blob)).toEqual({ kind: 'unknown' });
    expect(verifyHostKey(entries, '10.0.1.5', 22, ed.blob).kind).toBe('known');
    expect(verifyHostKey(entries, '10.0.1.9', 22, ed.blob).kind).toBe('unknown');
  });

  it('reports a changed key with the fingerprints on file, never as known', () => {
    const entries = parseKnownHosts(`[127.0.1.3]:2201 ${ed.type} ${ed.b64}\n`);
    const v = verifyHostKey(entries, '127.0.1.3', 2201, ed2.blob);
    expect(v).toEqual({ kind: 'changed', known: [{ line: 1, fingerprint: fingerprint(ed.blob) }] });
  });

  it('honours @revoked and ignores @cert-authority lines', () => {
    const entries = parseKnownHosts(
      [`@revoked * ${ed2.type} ${ed2.b64}`, `@cert-authority 10.0.0.* ${ed.type} ${ed.b64}`, `10.0.0.7 ${ed2.type} ${ed2.b64}`].join('\n'),
    );
    expect(verifyHostKey(entries, '10.0.0.7', 22, ed2.blob)).toEqual({ kind: 'revoked', line: 1 });
    expect(verifyHostKey(entries, '10.0.0.8', 22, ed.blob)).toEqual({ kind: 'unknown' });
  });

  it('matches entries hashed by ssh-keygen -H, for port 22 and [host]:port', async () => {
    const file = join(dir, 'hashed_known_hosts');
    await writeFile(file, `10.0.0.1 ${ed.type} ${ed.b64}\n[127.0.1.4]:2202 ${rsa.type} ${rsa.b64}\n`);
    await run('ssh-keygen', ['-H', '-f', file]);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('10.0.0.1');
    expect(text).toMatch(/^\|1\|/m);
    const entries = await readKnownHosts(file);
    expect(verifyHostKey(entries, '10.0.0.1', 22, ed.blob).kind).toBe('known');
    expect(verifyHostKey(entries, '127.0.1.4', 2202, rsa.blob).kind).toBe('known');
    expect(verifyHostKey(entries, '127.0.1.4', 2202, ed.blob).kind).toBe('changed');
    expect(verifyHostKey(entries, '10.0.0.2', 22, ed.blob).kind).toBe('unknown');
    expect(knownKeyAlgorithms(entries, '127.0.1.4', 2202)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });
});

describe('fingerprint', () => {
  it('equals what ssh-keygen -l prints', async () => {
    for (const k of [ed, rsa]) {
      const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pubFile]);
      const sha = /SHA256:\S+/.exec(stdout)?.[0];
      expect(fingerprint(k.blob)).toBe(`${k.type === 'ssh-rsa' ? 'RSA' : 'ED25519'} ${sha}`);
    }
  });
});

describe('appendKnownHost', () => {
  it('appends a line ssh-keygen -F finds, creating the file and keeping the last line intact', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    await appendKnownHost(file, '127.0.1.5', 2203, ed.blob);
    await writeFile(file, (await readFile(file, 'utf8')) + `10.0.0.1 ${rsa.type} ${rsa.b64}`); // no final newline
    await appendKnownHost(file, '10.0.0.9', 22, ed2.blob);
    const entries = await readKnownHosts(file);
    expect(entries).toHaveLength(3);
    expect(verifyHostKey(entries, '127.0.1.5', 2203, ed.blob).kind).toBe('known');
    expect(verifyHostKey(entries, '10.0.0.9', 22, ed2.blob).kind).toBe('known');
    const { stdout } = await run('ssh-keygen', ['-F', '[127.0.1.5]:2203', '-f', file]);
    expect(stdout).toContain(ed.b64);
  });

  it('treats a missing file as empty', async () => {
    expect(await readKnownHosts(join(dir, 'nope'))).toEqual([]);
  });
});

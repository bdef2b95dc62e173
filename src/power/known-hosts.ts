// OpenSSH known_hosts: parse (plain, wildcard, negated and hashed `|1|salt|hash` host
// patterns, `[host]:port` names, @revoked / @cert-authority markers), decide what a
// server's host key means (known, changed, revoked, unknown) and append a new one.
// fallow never accepts a changed key; an unknown one only when the operator said so.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  /** 1-based line in the file, for messages. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: HostPatterns;
  keyType: string;
  /** Base64 of the public key blob, as in the file. */
  key: string;
}

type HostPatterns = { hashed: { salt: Buffer; hash: Buffer } } | { patterns: string[] };

export type HostKeyVerdict =
  | { kind: 'known'; line: number }
  | { kind: 'revoked'; line: number }
  | { kind: 'changed'; known: { line: number; fingerprint: string }[] }
  | { kind: 'unknown' };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hostField, keyType, key] = fields;
    if (!hostField || !keyType || !key) return; // OpenSSH skips malformed lines too
    const hosts = parseHostField(hostField);
    if (!hosts) return;
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), hosts, keyType, key });
  });
  return entries;
}

function parseHostField(field: string): HostPatterns | undefined {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return undefined;
    return { hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') } };
  }
  return { patterns: field.split(',') };
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" elsewhere. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesName(hosts: HostPatterns, name: string): boolean {
  if ('hashed' in hosts) {
    const digest = createHmac('sha1', hosts.hashed.salt).update(name).digest();
    return digest.length === hosts.hashed.hash.length && timingSafeEqual(digest, hosts.hashed.hash);
  }
  let matched = false;
  for (const p of hosts.patterns) {
    const negated = p.startsWith('!');
    if (wildcard(negated ? p.slice(1) : p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

/** "ED25519 SHA256:…", the way ssh prints a key. */
export function fingerprint(blob: Buffer): string {
  const label = keyTypeOf(blob).replace(/^ssh-/, '').replace(/-cert-v01@openssh\.com$/, '').toUpperCase();
  return `${label} SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Entries that apply to host:port (cert-authority lines are not keys of a host). */
export function entriesFor(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostName(host, port);
  return entries.filter((e) => e.marker !== 'cert-authority' && matchesName(e.hosts, name));
}

export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const mine = entriesFor(entries, host, port);
  const type = keyTypeOf(blob);
  const b64 = blob.toString('base64');
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key === b64);
  if (revoked) return { kind: 'revoked', line: revoked.line };
  const known = mine.find((e) => !e.marker && e.keyType === type && e.key === b64);
  if (known) return { kind: 'known', line: known.line };
  const others = mine.filter((e) => !e.marker);
  if (others.length === 0) return { kind: 'unknown' };
  return {
    kind: 'changed',
    known: others.map((e) => ({ line: e.line, fingerprint: fingerprint(Buffer.from(e.key, 'base64')) })),
  };
}

/**
 * Host key algorithms to offer so the server presents a key type we already know for it
 * (else a host with a known RSA key that also has ED25519 would look "changed").
 */
export function knownKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number): string[] {
  const types = new Set(entriesFor(entries, host, port).filter((e) => !e.marker).map((e) => e.keyType));
  return [...types].flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
}

export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Appends host:port's key the way `ssh` does for a new host (creating ~/.ssh if needed). */
export async function appendKnownHost(file: string, host: string, port: number, blob: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const current = await readFile(file, 'utf8').catch(() => '');
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${sep}${knownHostName(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}

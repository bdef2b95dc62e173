// The SSH driver against the twin's in-process SSH front: host key checks (known, hashed,
// unknown, accept-new, changed, other key type), user key rejection, command failure, and
// a connection that drops while shutting down (success); read-only commands over one login
// that never sit idle waiting on delayed ACKs; a network check over one login, and a
// login per check, so a node whose sshd restarted is simply logged in to again.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { FatalError, NeedsOperatorError, UnreachableError } from '../../src/common/errors.js';
import { parseInventory } from '../../src/power/inventory.js';
import { fingerprint } from '../../src/power/known-hosts.js';
import { NetCommands } from '../../src/netcheck/commands.js';
import { SshNetCheck } from '../../src/netcheck/port.js';
import { SshDriver } from '../../src/power/ssh.js';
import { freeTcpPort } from '../../src/twin/fronts/loopback.js';
import { TwinSshServer, type SshCommandHandler } from '../../src/twin/fronts/ssh-server.js';
import { generateEd25519KeyPair } from '../../src/twin/fronts/ssh-keys.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { TestNodePower } from './helpers/twin-power.js';
const { Server, utils } = ssh2;

const run = promisify(execFile);
const ADDRESS = '127.0.1.2';

let dir: string;
const hostKey = generateEd25519KeyPair();
const otherHostKey = generateEd25519KeyPair();
const userKey = generateEd25519KeyPair();
const strangerKey = generateEd25519KeyPair();
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-ssh-'));
  await writeFile(join(dir, 'id_user'), userKey.private, { mode: 0o600 });
  await writeFile(join(dir, 'id_stranger'), strangerKey.private, { mode: 0o600 });
});

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const blob = (pub: string) => Buffer.from(pub.trim().split(/\s+/)[1]!, 'base64');

async function front(commands?: SshCommandHandler) {
  const power = new TestNodePower(['n2'], new ScaledClock(100), { shutdownMs: 5000 });
  const port = await freeTcpPort(ADDRESS);
  const server = new TwinSshServer({ node: 'n2', address: ADDRESS, port, hostKey: hostKey.private, authorizedKey: userKey.public, user: 'rancher', power, ...(commands ? { commands } : {}) });
  await server.start();
  cleanup.push(() => power.dispose(), () => server.stop());
  return { power, server, port };
}

async function setup(o: { port: number; knownHosts?: string; key?: string; command?: string; accept?: boolean }) {
  const kh = join(dir, `known_hosts-${Math.random().toString(36).slice(2)}`);
  if (o.knownHosts !== undefined) await writeFile(kh, o.knownHosts);
  const inv = parseInventory(
    `schemaVersion: 1\nkind: PowerInventory\nnodes:\n  n2:\n    ssh: {address: ${ADDRESS}, port: ${o.port}, keyFile: ${o.key ?? 'id_user'}, knownHostsFile: ${kh}` +
      `${o.command ? `, shutdownCommand: ${o.command}` : ''}}\n`,
    join(dir, 'power.yaml'),
  );
  return { driver: new SshDriver(inv, { acceptNewHostKeys: o.accept === true, connectTimeoutMs: 5000 }), kh, inv };
}

const line = (port: number, pub: string) => `[${ADDRESS}]:${port} ${pub.trim().split(/\s+/).slice(0, 2).join(' ')}\n`;

describe('SshDriver', () => {
  it('runs the shutdown command when the host key is known', async () => {
    const { power, port } = await front();
    const { driver } = await setup({ port, knownHosts: line(port, hostKey.public) });
    await driver.shutdown('n2');
    expect(power.history[0]).toEqual({ node: 'n2', state: 'shutting-down' });
  });

  it('accepts a host key hashed by ssh-keygen -H', async () => {
    const { power, port } = await front();
    const { driver, kh } = await setup({ port, knownHosts: line(port, hostKey.public) });
    await run('ssh-keygen', ['-H', '-f', kh]);
    expect(await readFile(kh, 'utf8')).not.toContain(ADDRESS);
    expect(await driver.check('n2')).toMatchObject({ ok: true });
    await driver.shutdown('n2');
    expect(power.history[0]).toEqual({ node: 'n2', state: 'shutting-down' });
  });

  it('refuses an unknown host key, changing nothing', async () => {
    const { power, port } = await front();
    const { driver, kh } = await setup({ port, knownHosts: '' });
    const err = await driver.shutdown('n2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect((err as Error).message).toBe(
      `SSH host key of node n2 (${ADDRESS}:${port}) is not in ${kh}; it offered ${fingerprint(blob(hostKey.public))}`,
    );
    expect(power.state('n2')).toBe('on');
    expect(await readFile(kh, 'utf8')).toBe('');
    const report = await driver.check('n2');
    expect(report.ok).toBe(false);
    expect(await readFile(kh, 'utf8')).toBe(''); // check never records a key
  });

  it('records an unknown host key with acceptNewHostKeys, then trusts it', async () => {
    const { power, port } = await front();
    const { driver, kh } = await setup({ port, accept: true });
    await driver.shutdown('n2');
    expect(power.history[0]).toEqual({ node: 'n2', state: 'shutting-down' });
    expect(await readFile(kh, 'utf8')).toBe(line(port, hostKey.public));
  });

  it('never accepts a changed host key, even with acceptNewHostKeys', async () => {
    const { power, port } = await front();
    const { driver, kh } = await setup({ port, knownHosts: line(port, otherHostKey.public), accept: true });
    const err = await driver.shutdown('n2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    const msg = (err as Error).message;
    expect(msg).toContain(`SSH host key of node n2 (${ADDRESS}:${port}) has CHANGED`);
    expect(msg).toContain(fingerprint(blob(otherHostKey.public)));
    expect(msg).toContain(fingerprint(blob(hostKey.public)));
    expect(power.state('n2')).toBe('on');
    expect(await readFile(kh, 'utf8')).toBe(line(port, otherHostKey.public));
  });

  it('treats a host that no longer offers its known key type as changed', async () => {
    const { power, port } = await front();
    const rsa = utils.generateKeyPairSync('rsa', { bits: 2048 });
    const { driver } = await setup({ port, knownHosts: line(port, rsa.public) });
    await expect(driver.shutdown('n2')).rejects.toThrow(/has CHANGED: .* has RSA SHA256:\S+, the server offered no key of a known type/);
    expect(power.state('n2')).toBe('on');
  });

  it('says the server rejected the user key, changing nothing', async () => {
    const { power, port } = await front();
    const { driver } = await setup({ port, knownHosts: line(port, hostKey.public), key: 'id_stranger' });
    const err = await driver.shutdown('n2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe(`SSH server of node n2 (${ADDRESS}:${port}) rejected the key ${join(dir, 'id_stranger')} for user rancher`);
    expect(power.state('n2')).toBe('on');
  });

  it('reports a failing command with its exit code and output', async () => {
    const { power, port } = await front();
    const { driver } = await setup({ port, knownHosts: line(port, hostKey.public), command: 'reboot' });
    await expect(driver.shutdown('n2')).rejects.toThrow(/"reboot" on node n2 failed \(exit 127\): twin n2: only shutdown is modelled/);
    expect(power.state('n2')).toBe('on');
  });

  it('reports a closed port as unreachable', async () => {
    const port = await freeTcpPort(ADDRESS);
    const { driver } = await setup({ port, knownHosts: '' });
    const err = await driver.shutdown('n2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/Cannot reach the SSH server of node n2 at 127\.0\.1\.2:\d+: ECONNREFUSED/);
  });

  it('runs many read-only commands over one login without idling between them', async () => {
    const { port } = await front((_node, command) => ({ stdout: `${command}\n`, exitCode: 0 }));
    const { driver } = await setup({ port, knownHosts: line(port, hostKey.public) });
    // Loopback peers in one process never wait on each other; only Nagle holding a small
    // packet for the peer's delayed ACK leaves the loop idle. A virtual clock turns each
    // idle spell into one modelled second, so the count of idle spells is the measure.
    const clock = new VirtualClock();
    let idleSpells = 0;
    let done = false;
    void (async () => {
      while (!done) {
        await clock.sleep(1_000);
        if (!done) idleSpells++;
      }
    })();
    clock.start();
    const commands = Array.from({ length: 30 }, (_, i) => `echo ${i}`);
    try {
      const out = await driver.runCommands('n2', commands);
      expect(out.map((r) => [r.stdout, r.exitCode])).toEqual(commands.map((c) => [`${c}\n`, 0]));
    } finally {
      done = true;
      clock.stop();
    }
    // With Nagle on either end every exec idles once (30 or more); a few spells leave room
    // for the key and known_hosts reads on the thread pool.
    expect(idleSpells).toBeLessThan(8);
  });

  it('runs a network check over one login, gateway ping included, and logs in afresh for the next', async () => {
    const seen: string[] = [];
    const { server, port } = await front((_node, command) => {
      seen.push(command);
      if (command === NetCommands.defaultRoute) return { stdout: '[{"dst":"default","gateway":"10.0.0.1","dev":"mgmt-br"}]\n', exitCode: 0 };
      if (command === NetCommands.ping('10.0.0.1')) return { stdout: '3 packets transmitted, 3 received, 0% packet loss\n', exitCode: 0 };
      return undefined;
    });
    const { inv } = await setup({ port, knownHosts: line(port, hostKey.public) });
    const net = new SshNetCheck(inv, { connectTimeoutMs: 5000 });
    const expectations = { ip: '10.0.0.2', gateway: '10.0.0.1', names: [], ntpMaxOffsetMs: 1000, proxies: [], registries: [], interfaces: [] };
    const first = await net.check({ name: 'n2', ip: '10.0.0.2' }, expectations);
    expect(first.find((r) => r.check === 'gateway')).toMatchObject({ ok: true, detail: '10.0.0.1 answers ping' });
    expect(seen).toContain(NetCommands.ping('10.0.0.1'));
    expect(server.logins).toBe(1);
    // The node's sshd goes away and comes back between two polls: nothing stale is kept.
    await server.stop();
    await server.start();
    const second = await net.check({ name: 'n2', ip: '10.0.0.2' }, expectations);
    expect(second.find((r) => r.check === 'gateway')).toMatchObject({ ok: true });
    expect(server.logins).toBe(2);
  });

  it('counts the connection dropping during the shutdown command as success', async () => {
    const port = await freeTcpPort(ADDRESS);
    let ran = '';
    const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on('authentication', (ctx) => ctx.accept());
      client.on('ready', () =>
        client.on('session', (accept) =>
          accept().on('exec', (_acc, _rej, info) => {
            ran = info.command;
            // The node powers off mid-command: no exit status, the TCP connection just ends.
            (client as unknown as { _sock: { destroy(): void } })._sock.destroy();
          }),
        ),
      );
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(port, ADDRESS, () => r()));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const { driver } = await setup({ port, knownHosts: line(port, hostKey.public) });
    await driver.shutdown('n2');
    expect(ran).toBe('sudo -i shutdown -h now');
  });
});

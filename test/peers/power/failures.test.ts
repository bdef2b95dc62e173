// Every way node power fails through real peers (OpenSSH sshd, ipmi_sim + ipmitool): each
// stops with a message naming the node and what to do, and changes nothing it should not.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FatalError, NeedsOperatorError, UnreachableError } from '../../../src/common/errors.js';
import { fingerprint } from '../../../src/power/known-hosts.js';
import { ScriptedOperator } from '../../power/helpers/operator.js';
import { realRig, type RealRig } from './rig.js';

const run = promisify(execFile);
const NODES = ['harv51', 'harv52'];
let rig: RealRig;
let knownHosts: string;

beforeAll(async () => {
  rig = await realRig(NODES, 51);
  knownHosts = await readFile(rig.fronts.knownHostsPath, 'utf8');
});
afterAll(async () => {
  await rig?.stop();
});

beforeEach(async () => {
  // Every test starts from all nodes on, with the original known_hosts and no faults.
  rig.power.faults.set({ nodeWontPowerOff: [], nodeWontBoot: [] });
  await writeFile(rig.fronts.knownHostsPath, knownHosts);
  const ctl = await rig.controller();
  for (const n of NODES) if (rig.power.state(n) !== 'on') await ctl.powerOn(n, { deadline: rig.deadline(120) });
  await rig.fronts.settled();
  rig.power.history.length = 0;
});

const node = (name: string) => rig.fronts.nodes.find((n) => n.name === name)!;

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

async function newKey(name: string): Promise<{ file: string; pub: string }> {
  const file = join(rig.dir, `${name}-${Date.now()}`);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return { file, pub: (await readFile(`${file}.pub`, 'utf8')).trim() };
}

describe('SSH failures against a real sshd', () => {
  it('unknown host key: refused, nothing recorded, node stays on', async () => {
    await writeFile(rig.fronts.knownHostsPath, '');
    const ctl = await rig.controller();
    const err = await failure(ctl.shutdown('harv51', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(NeedsOperatorError);
    const n = node('harv51');
    expect(err.message).toMatch(new RegExp(`^SSH host key of node harv51 \\(${n.address.replace(/\./g, '\\.')}:${n.sshPort}\\) is not in .*known_hosts; it offered ED25519 SHA256:`));
    expect(await readFile(rig.fronts.knownHostsPath, 'utf8')).toBe('');
    expect(rig.power.history).toEqual([]);
  });

  it('unknown host key with acceptNewHostKeys: recorded, then the shutdown runs', async () => {
    await writeFile(rig.fronts.knownHostsPath, '');
    const ctl = await rig.controller({ acceptNewHostKeys: true });
    await ctl.shutdown('harv52', { deadline: rig.deadline(120) });
    expect(rig.power.state('harv52')).toBe('off');
    const n = node('harv52');
    expect(await readFile(rig.fronts.knownHostsPath, 'utf8')).toMatch(new RegExp(`^\\[${n.address.replace(/\./g, '\\.')}\\]:${n.sshPort} ssh-ed25519 `));
  });

  it('changed host key: refused with both fingerprints, even with acceptNewHostKeys', async () => {
    const impostor = await newKey('impostor');
    const n = node('harv51');
    const [type, b64] = impostor.pub.split(/\s+/) as [string, string];
    const changed = knownHosts.replace(new RegExp(`^\\[${n.address.replace(/\./g, '\\.')}\\]:${n.sshPort} .*$`, 'm'), `[${n.address}]:${n.sshPort} ${type} ${b64}`);
    expect(changed).not.toBe(knownHosts);
    await writeFile(rig.fronts.knownHostsPath, changed);
    const ctl = await rig.controller({ acceptNewHostKeys: true });
    const err = await failure(ctl.shutdown('harv51', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toContain(`SSH host key of node harv51 (${n.address}:${n.sshPort}) has CHANGED`);
    expect(err.message).toContain(fingerprint(Buffer.from(b64, 'base64')));
    const real = (await readFile(join(rig.dir, 'harv51', 'ssh_host_ed25519_key.pub'), 'utf8')).split(/\s+/)[1]!;
    expect(err.message).toContain(fingerprint(Buffer.from(real, 'base64')));
    expect(await readFile(rig.fronts.knownHostsPath, 'utf8')).toBe(changed);
    expect(rig.power.history).toEqual([]);
  });

  it('wrong SSH key: the server rejects it, node stays on', async () => {
    const stranger = await newKey('stranger');
    const path = await rig.variant('wrong-key', (doc) => {
      doc.defaults!.ssh!.keyFile = stranger.file;
    });
    const ctl = await rig.controller({ inventoryPath: path });
    const err = await failure(ctl.shutdown('harv52', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(FatalError);
    const n = node('harv52');
    expect(err.message).toBe(`SSH server of node harv52 (${n.address}:${n.sshPort}) rejected the key ${stranger.file} for user root`);
    expect(rig.power.history).toEqual([]);
  });
});

describe('BMC failures against a real ipmi_sim', () => {
  it('wrong BMC password: "BMC rejected the credentials", node stays as it was', async () => {
    const ctl0 = await rig.controller();
    await ctl0.shutdown('harv51', { deadline: rig.deadline(120) });
    rig.power.history.length = 0;
    const wrong = join(rig.dir, 'wrong-bmc-password');
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
    const path = await rig.variant('wrong-bmc', (doc) => {
      doc.nodes.harv51!.bmc!.passwordFile = wrong;
    });
    const ctl = await rig.controller({ inventoryPath: path });
    const err = await failure(ctl.powerOn('harv51', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toBe(`BMC rejected the credentials for harv51 (${node('harv51').address})`);
    expect(rig.power.state('harv51')).toBe('off');
    expect(rig.power.history).toEqual([]);
  });

  it('BMC unreachable: fails under --yes; an operator at the terminal is asked instead', async () => {
    const ctl0 = await rig.controller();
    await ctl0.shutdown('harv52', { deadline: rig.deadline(120) });
    rig.power.history.length = 0;
    const path = await rig.variant('no-bmc', (doc) => {
      doc.nodes.harv52!.bmc!.port = 9; // nothing answers IPMI there
    });
    const unattended = await rig.controller({ inventoryPath: path, operator: new ScriptedOperator(true, true) });
    const err = await failure(unattended.powerOn('harv52', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toBe(`Cannot reach the IPMI BMC of node harv52 at ${node('harv52').address}:9: no answer to an RMCP+ session request`);
    expect(rig.power.state('harv52')).toBe('off');

    const operator = new ScriptedOperator(true, false, [
      async () => {
        await fetch(`${rig.fronts.controlUrl}/nodes/harv52/poweron`, { method: 'POST' }); // the power button
        return '';
      },
    ]);
    const attended = await rig.controller({ inventoryPath: path, operator });
    await attended.powerOn('harv52', { deadline: rig.deadline(180) });
    expect(rig.power.state('harv52')).toBe('on');
    expect(operator.lines[0]).toMatch(/^The BMC did not answer: Cannot reach the IPMI BMC of node harv52/);
    expect(operator.lines[1]).toBe(`ACTION NEEDED: switch ON node harv52, IP ${node('harv52').address}, BMC ${node('harv52').address}, location: twin node harv52 (${node('harv52').address}).`);
  });
});

describe('nodes that do not follow', () => {
  it('a node that stays on after shutdown is named; nothing is forced without --force', async () => {
    rig.power.faults.set({ nodeWontPowerOff: ['harv51'] });
    const ctl = await rig.controller();
    const err = await failure(ctl.shutdown('harv51', { deadline: rig.deadline(40) }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toMatch(/^Node harv51 is still on \d+ s after it was asked to shut down \(BMC says on; NotReady, SSH port 127\.0\.1\.51:\d+ open\)$/);
    expect(rig.power.state('harv51')).toBe('shutting-down');
    expect(rig.power.history.map((h) => h.state)).toEqual(['shutting-down']);
    await ctl.shutdown('harv51', { deadline: rig.deadline(40), force: true });
    expect(rig.power.state('harv51')).toBe('off');
  });

  it('a node that does not boot after power-on is named', async () => {
    const ctl = await rig.controller();
    await ctl.shutdown('harv52', { deadline: rig.deadline(120) });
    rig.power.faults.set({ nodeWontBoot: ['harv52'] });
    const err = await failure(ctl.powerOn('harv52', { deadline: rig.deadline(60) }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toMatch(/^Node harv52 did not come up within \d+ s of power-on \(BMC says on; NotReady, SSH port 127\.0\.1\.52:\d+ closed\)$/);
    expect(rig.power.state('harv52')).toBe('booting');
    rig.power.forceOff('harv52'); // leave it recoverable for the next test
  });
});

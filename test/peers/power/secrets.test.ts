// No secret leaks: a power cycle and its failures through real peers (sshd, ipmi_sim +
// ipmitool) and the Redfish front, while every child process's argv is sampled from
// /proc; then every artifact, log, error message, operator line and object dump is
// searched for the BMC passwords and the private key. Only the secret stores themselves
// (password files, private keys, the BMC's own lan.conf) may hold them, at mode 0600.
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../../src/common/errors.js';
import { PowerController } from '../../../src/power/controller.js';
import { loadInventory } from '../../../src/power/inventory.js';
import { startPowerFronts, type PowerFronts } from '../../../src/twin/fronts/fronts.js';
import { ScriptedOperator } from '../../power/helpers/operator.js';
import { TestNodePower } from '../../power/helpers/twin-power.js';
import { clock, realRig, type RealRig } from './rig.js';

const NODES = ['harv61', 'harv62'];
const WRONG_PASSWORD = 'Wr0ng-bmc-pass-4417';
let rig: RealRig;
let redfishPower: TestNodePower;
let redfish: PowerFronts;
let redfishDir: string;

beforeAll(async () => {
  rig = await realRig(NODES, 61);
  redfishPower = new TestNodePower(['rf1'], clock, { shutdownMs: 5000, bootMs: 5000 });
  redfishDir = await mkdtemp(join(tmpdir(), 'fallow-peers-rf-'));
  redfish = await startPowerFronts(redfishPower, [{ name: 'rf1', address: '127.0.1.65' }], { dir: redfishDir, bmc: 'redfish' });
});
afterAll(async () => {
  await rig?.stop();
  redfishPower?.dispose();
  await redfish?.stop();
});

/** Samples the argv of every process descending from this one (ipmitool, bash scripts…). */
function sampleChildArgv(): { stop(): Promise<Map<number, string>> } {
  const seen = new Map<number, string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const parents = new Map<number, number>();
      for (const entry of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid) parents.set(Number(entry), ppid);
      }
      const mine = (pid: number): boolean => {
        for (let p = parents.get(pid), hops = 0; p && hops < 20; p = parents.get(p), hops++) if (p === process.pid) return true;
        return false;
      };
      for (const pid of parents.keys()) {
        if (seen.has(pid) || !mine(pid)) continue;
        const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (argv) seen.set(pid, argv.split('\0').join(' '));
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Where a secret is meant to live. */
const isSecretStore = (path: string) =>
  /\.bmc-password$|wrong-bmc-password$|\/id_ed25519$|ssh_host_ed25519_key$|\/lan\.conf$/.test(path);

describe('secrets', () => {
  it('appear in no argv, artifact, log, message or dump', async () => {
    const sampler = sampleChildArgv();
    const texts: { where: string; text: string }[] = [];
    const keep = (where: string, text: string) => texts.push({ where, text });
    const keepError = async (where: string, p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, where).toBeInstanceOf(Error);
      keep(where, `${formatError(err)}\n${(err as Error).stack ?? ''}\n${inspect(err, { depth: 5 })}`);
    };

    // The IPMI + sshd cycle, with its checks.
    const ctl = await rig.controller();
    for (const n of NODES) for (const r of await ctl.check(n)) keep(`check ${n} ${r.driver}`, JSON.stringify(r));
    for (const n of NODES) await ctl.shutdown(n, { deadline: rig.deadline(120) });
    for (const n of NODES) await ctl.powerOn(n, { deadline: rig.deadline(120) });
    keep('controller dump', inspect(ctl, { depth: 8 }));

    // Its failures: wrong BMC password, unreachable BMC under --yes, unknown host key.
    const wrongFile = join(rig.dir, 'wrong-bmc-password');
    await writeFile(wrongFile, `${WRONG_PASSWORD}\n`, { mode: 0o600 });
    const wrong = await rig.variant('secrets-wrong-bmc', (doc) => {
      doc.nodes.harv61!.bmc!.passwordFile = wrongFile;
    });
    const wrongCtl = await rig.controller({ inventoryPath: wrong });
    await keepError('wrong BMC password', wrongCtl.ipmi.powerOn('harv61'));
    for (const r of await wrongCtl.check('harv61')) keep('check with wrong password', JSON.stringify(r));
    const away = await rig.variant('secrets-no-bmc', (doc) => {
      doc.nodes.harv62!.bmc!.port = 9;
    });
    const operator = new ScriptedOperator(true, true);
    const awayCtl = await rig.controller({ inventoryPath: away, operator });
    await ctl.shutdown('harv62', { deadline: rig.deadline(120) });
    await keepError('BMC unreachable', awayCtl.powerOn('harv62', { deadline: rig.deadline(60) }));
    await ctl.powerOn('harv62', { deadline: rig.deadline(120) });
    await writeFile(rig.fronts.knownHostsPath, '');
    await keepError('unknown host key', ctl.shutdown('harv61', { deadline: rig.deadline(60) }));
    keep('operator', operator.lines.join('\n'));
    keep('power log', rig.log.join('\n'));

    // The Redfish front: a cycle and a refused password.
    const rf = new PowerController({
      inventory: await loadInventory(redfish.inventoryPath),
      clock,
      nodeReady: (n) => Promise.resolve(redfishPower.state(n) === 'on'),
      console: new ScriptedOperator(false, true),
      pollMs: 1000,
    });
    await rf.shutdown('rf1', { deadline: clock.now() + 60_000 });
    await rf.powerOn('rf1', { deadline: clock.now() + 60_000 });
    keep('redfish controller dump', inspect(rf, { depth: 8 }));
    await rf.close();
    await writeFile(redfish.nodes[0]!.bmcPasswordFile!, `${WRONG_PASSWORD}\n`);
    const rfWrong = new PowerController({
      inventory: await loadInventory(redfish.inventoryPath),
      clock,
      nodeReady: () => Promise.resolve(true),
      console: new ScriptedOperator(false, true),
    });
    await keepError('redfish wrong password', rfWrong.redfish.forceOff('rf1'));

    const argv = await sampler.stop();

    // The secrets in play.
    const passwords = [
      ...(await Promise.all([...rig.fronts.nodes, ...redfish.nodes].map(async (n) => (await readFile(n.bmcPasswordFile!, 'utf8')).trim()))),
      WRONG_PASSWORD,
    ];
    const keyLines = (await readFile(rig.fronts.userKeyPath, 'utf8')).split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const secrets = [...new Set([...passwords, ...keyLines])];
    expect(secrets.length).toBeGreaterThanOrEqual(passwords.length + 1);

    // Every child's argv: ipmitool ran (so the sampler worked), never with a secret.
    const argvs = [...argv.values()];
    expect(argvs.some((a) => a.startsWith('ipmitool ') && a.includes(' chassis power '))).toBe(true);
    expect(argvs.some((a) => a.includes('/usr/sbin/sshd'))).toBe(true);
    for (const a of argvs) for (const s of secrets) expect(a.includes(s), `argv "${a}"`).toBe(false);

    // Every artifact outside the secret stores; the stores are owner-only.
    for (const root of [rig.dir, redfishDir]) {
      for (const file of await filesUnder(root)) {
        if (isSecretStore(file)) {
          expect((await stat(file)).mode & 0o077, `${relative(root, file)} must be 0600`).toBe(0);
          continue;
        }
        keep(relative(root, file), await readFile(file, 'utf8'));
      }
    }
    expect(texts.some((t) => t.where.endsWith('sshd.log') && t.text.includes('Accepted publickey'))).toBe(true);
    expect(texts.some((t) => t.where.endsWith('power-inventory.yaml') && t.text.includes('passwordFile'))).toBe(true);
    for (const t of texts) for (const s of secrets) expect(t.text.includes(s), `secret found in ${t.where}`).toBe(false);
  });
});

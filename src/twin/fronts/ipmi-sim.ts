// A real IPMI BMC for one twin node: Debian openipmi's `ipmi_sim` with a lan.conf (RMCP+
// on the node's loopback address), an .emu and a chassis_control script that reads and
// drives the twin's power through the control endpoint. The recipe is the one proven in
// testbed-facts (guid needed for RMCP+, cipher suite 3). The BMC password lives in its
// lan.conf (mode 0600), as a real BMC keeps it in its own store.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runIpmitool } from '../../power/ipmi.js';
import { Secret } from '../../power/secrets.js';
import { assertLoopback } from './loopback.js';
import { chassisControlScript, writeScript } from './scripts.js';

export const IpmiSimBinary = '/usr/bin/ipmi_sim';

export interface IpmiSimOptions {
  node: string;
  address: string;
  /** UDP port (see freeUdpPort). */
  port: number;
  dir: string;
  username: string;
  password: string;
  controlUrl: string;
}

export interface IpmiSimPeer {
  readonly node: string;
  readonly address: string;
  readonly port: number;
  readonly logFile: string;
  pid(): number | undefined;
  stop(): Promise<void>;
}

export async function startIpmiSim(opts: IpmiSimOptions): Promise<IpmiSimPeer> {
  assertLoopback(opts.address);
  await access(IpmiSimBinary).catch(() => {
    throw new Error(`${IpmiSimBinary} is missing: install the Debian packages openipmi and ipmitool`);
  });
  if (/["\s]/.test(opts.username) || opts.password.includes('"')) throw new Error('ipmi_sim user names and passwords cannot hold quotes or spaces');
  const stateDir = join(opts.dir, 'state');
  await mkdir(stateDir, { recursive: true });
  const script = join(opts.dir, 'chassis-control.sh');
  const lanConf = join(opts.dir, 'lan.conf');
  const emu = join(opts.dir, `${opts.node}.emu`);
  const logFile = join(opts.dir, 'ipmi_sim.log');
  await writeScript(script, chassisControlScript(opts.controlUrl, opts.node));
  await writeFile(
    lanConf,
    [
      `name "${opts.node}"`,
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr ${opts.address} ${opts.port}`,
      '    priv_limit admin',
      '    allowed_auths_callback none md2 md5 straight',
      '    allowed_auths_user none md2 md5 straight',
      '    allowed_auths_operator none md2 md5 straight',
      '    allowed_auths_admin none md2 md5 straight',
      `    guid ${randomBytes(16).toString('hex')}`,
      '  endlan',
      `  chassis_control "${script} 0x20"`,
      `user 2 true "${opts.username}" "${opts.password}" admin 10 none md2 md5 straight`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(
    emu,
    ['mc_setbmc 0x20', 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr', 'mc_enable 0x20', ''].join('\n'),
  );
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(IpmiSimBinary, ['-c', lanConf, '-f', emu, '-s', stateDir, '-n'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const peer: IpmiSimPeer = {
    node: opts.node,
    address: opts.address,
    port: opts.port,
    logFile,
    pid: () => (child.exitCode === null ? child.pid : undefined),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    },
  };
  await waitAnswering(peer, opts);
  return peer;
}

/** UDP has no connect: ask for the chassis status until the simulator answers. */
async function waitAnswering(peer: IpmiSimPeer, opts: IpmiSimOptions): Promise<void> {
  const argv = ['-I', 'lanplus', '-C', '3', '-H', opts.address, '-p', String(opts.port), '-U', opts.username, '-E', '-N', '1', '-R', '1', 'chassis', 'power', 'status'];
  for (let i = 0; i < 20; i++) {
    if (peer.pid() === undefined) throw new Error(`ipmi_sim for ${opts.node} exited; see ${peer.logFile}`);
    const res = await runIpmitool('ipmitool', argv, new Secret(opts.password));
    if (res.code === 0) return;
  }
  await peer.stop();
  throw new Error(`ipmi_sim for ${opts.node} does not answer on ${opts.address}:${opts.port}; see ${peer.logFile}`);
}

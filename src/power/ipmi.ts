// IPMI power driver: runs Debian's `ipmitool` over lanplus (`-C 3`: without it every call
// stalls, see testbed-facts). The password goes only through IPMI_PASSWORD (`-E`), never
// argv, so it cannot show in `ps`. Errors are told apart by ipmitool's verbose stderr:
// "RAKP 2 …" = the BMC refused the user or password; no answer at all = unreachable.
import { spawn } from 'node:child_process';
import { formatError } from '../common/errors.js';
import type { CheckReport, PowerDriver, PowerLog, PowerState } from './driver.js';
import type { BmcTarget, PowerInventory } from './inventory.js';
import { PowerMessages } from './messages.js';
import { readSecret, type Secret } from './secrets.js';

export interface IpmiDriverOptions {
  /** The ipmitool binary (tests point it elsewhere to see what is spawned). */
  ipmitoolPath?: string;
  /** ipmitool -N: seconds per attempt; -R: attempts. Unreachable BMCs cost N×R seconds. */
  timeoutSec?: number;
  retries?: number;
  log?: PowerLog;
  env?: NodeJS.ProcessEnv;
}

type Command = 'status' | 'on' | 'soft' | 'off';

export interface IpmitoolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class IpmiDriver implements PowerDriver {
  readonly kind = 'ipmi' as const;

  constructor(
    private readonly inventory: PowerInventory,
    private readonly opts: IpmiDriverOptions = {},
  ) {}

  async status(node: string): Promise<PowerState> {
    const out = await this.run(node, 'status');
    if (/Chassis Power is on/i.test(out)) return 'on';
    if (/Chassis Power is off/i.test(out)) return 'off';
    return 'unknown';
  }

  async shutdown(node: string): Promise<void> {
    await this.run(node, 'soft');
  }

  async powerOn(node: string): Promise<void> {
    await this.run(node, 'on');
  }

  async forceOff(node: string): Promise<void> {
    await this.run(node, 'off');
  }

  async check(node: string): Promise<CheckReport> {
    try {
      const state = await this.status(node);
      const b = this.bmc(node);
      return { node, driver: 'ipmi', ok: state !== 'unknown', detail: `logged in to ${b.address}:${b.port} as ${b.username}, chassis power ${state}`, state };
    } catch (err) {
      return { node, driver: 'ipmi', ok: false, detail: formatError(err) };
    }
  }

  /** The argv (never with the password) for one chassis power command. */
  argv(b: BmcTarget, command: Command): string[] {
    return [
      '-v', // the verbose lines are how a refused password is told from an unreachable BMC
      '-I', 'lanplus',
      '-C', String(b.cipherSuite),
      '-H', b.address,
      '-p', String(b.port),
      '-U', b.username,
      '-E',
      '-N', String(this.opts.timeoutSec ?? 2),
      '-R', String(this.opts.retries ?? 2),
      'chassis', 'power', command,
    ];
  }

  private bmc(node: string): BmcTarget {
    const b = this.inventory.node(node).bmc;
    if (!b || b.driver !== 'ipmi') throw new Error(`node ${node} has no IPMI BMC in ${this.inventory.file}`);
    return b;
  }

  private async run(node: string, command: Command): Promise<string> {
    const b = this.bmc(node);
    const password = await readSecret(`nodes.${node}.bmc password`, b.password, this.opts.env);
    if (command !== 'status') this.opts.log?.({ node, driver: 'ipmi', message: `chassis power ${command} via ${b.address}:${b.port}` });
    const res = await runIpmitool(this.opts.ipmitoolPath ?? 'ipmitool', this.argv(b, command), password, this.opts.env);
    if (res.code === 0) return res.stdout;
    const what = `chassis power ${command}`;
    if (/RAKP \d|unauthorized name|invalid authentication|password/i.test(res.stderr)) {
      throw PowerMessages.bmcCredentialsRejected(node, b.address);
    }
    if (/Unable to establish|Get Auth Capabilities error|Error issuing Get Channel/i.test(res.stderr)) {
      throw PowerMessages.bmcUnreachable(node, 'IPMI', b.address, b.port, 'no answer to an RMCP+ session request');
    }
    if (res.code === null || res.code === 127) {
      throw PowerMessages.bmcFailed(node, 'IPMI', b.address, what, 'ipmitool could not be run (install the ipmitool package)');
    }
    throw PowerMessages.bmcFailed(node, 'IPMI', b.address, what, lastLines(res.stderr || res.stdout));
  }
}

/** Spawns ipmitool with the password in its environment only. */
export function runIpmitool(bin: string, argv: string[], password: Secret, env: NodeJS.ProcessEnv = process.env): Promise<IpmitoolResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, argv, { env: { ...env, IPMI_PASSWORD: password.reveal() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => resolve({ code: null, stdout, stderr: stderr + err.message }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('Loading IANA'))
    .slice(-3)
    .join(' / ');
}

// SSH power driver (ssh2): shuts a node down the seed's way — log in as the inventory's
// user and run its shutdown command (`sudo -i shutdown -h now`). The server's host key is
// checked against known_hosts first: known → go on, changed or revoked → refuse, unknown →
// refuse unless acceptNewHostKeys (then it is appended once the login succeeded).
import { readFile } from 'node:fs/promises';
import ssh2, { type ConnectConfig } from 'ssh2'; // CommonJS: no named value imports
import type { CheckReport, PowerDriver, PowerLog, PowerState } from './driver.js';
import type { PowerInventory, SshTarget } from './inventory.js';
import {
  appendKnownHost,
  entriesFor,
  fingerprint,
  knownKeyAlgorithms,
  readKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from './known-hosts.js';
import { PowerMessages } from './messages.js';
import { tcpPortOpen } from './probe.js';
import { formatError } from '../common/errors.js';
const { Client, utils } = ssh2;
type SshClient = InstanceType<typeof Client>;

export interface SshDriverOptions {
  /** Trust and record a host key never seen before (like StrictHostKeyChecking=accept-new). */
  acceptNewHostKeys?: boolean;
  connectTimeoutMs?: number;
  /** How long the shutdown command may run before we call it hung. */
  commandTimeoutMs?: number;
  log?: PowerLog;
}

type Target = SshTarget & { address: string };

export class SshDriver implements PowerDriver {
  readonly kind = 'ssh' as const;

  constructor(
    private readonly inventory: PowerInventory,
    private readonly opts: SshDriverOptions = {},
  ) {}

  /** An SSH port that answers means the OS is up; silence alone proves nothing. */
  async status(node: string): Promise<PowerState> {
    const t = this.inventory.ssh(node);
    return (await tcpPortOpen(t.address, t.port)) ? 'on' : 'unknown';
  }

  async shutdown(node: string): Promise<void> {
    const t = this.inventory.ssh(node);
    const client = await this.connect(node, t, this.opts.acceptNewHostKeys === true);
    this.opts.log?.({ node, driver: 'ssh', message: `running "${t.shutdownCommand}" as ${t.user}@${t.address}` });
    await runShutdown(client, node, t.shutdownCommand, this.opts.commandTimeoutMs ?? 60_000);
  }

  powerOn(node: string): Promise<void> {
    return Promise.reject(PowerMessages.sshCannotPower(node, 'power on'));
  }

  forceOff(node: string): Promise<void> {
    return Promise.reject(PowerMessages.sshCannotPower(node, 'cut the power of'));
  }

  /** Logs in (host key and user key checked) and leaves; never records a new host key. */
  async check(node: string): Promise<CheckReport> {
    try {
      const t = this.inventory.ssh(node);
      const client = await this.connect(node, t, false);
      client.end();
      return { node, driver: 'ssh', ok: true, detail: `logged in as ${t.user}@${t.address}:${t.port}, host key known`, state: 'on' };
    } catch (err) {
      return { node, driver: 'ssh', ok: false, detail: formatError(err) };
    }
  }

  /**
   * Runs commands one after another over one login (host key checked, never recorded), for
   * read-only checks: each answer is its stdout, stderr and exit code (null: killed by a
   * signal). A command that does not finish within `timeoutMs` ends all of them with an
   * error naming it. The commands are the caller's; nothing here escapes them.
   */
  async runCommands(node: string, commands: string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult[]> {
    return this.withLogin(node, (run) => run(commands), opts);
  }

  /**
   * Like runCommands, for a caller whose next commands depend on earlier answers: `fn` may
   * run commands as often as it needs over one login, closed when `fn` settles. A node that
   * just booted pays one handshake per check, not one per batch.
   */
  async withLogin<T>(node: string, fn: (run: (commands: string[]) => Promise<CommandResult[]>) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
    const t = this.inventory.ssh(node);
    const client = await this.connect(node, t, false);
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 60_000;
    try {
      return await fn(async (commands) => {
        const out: CommandResult[] = [];
        for (const command of commands) out.push(await execOne(client, node, command, timeoutMs));
        return out;
      });
    } finally {
      client.end();
    }
  }

  async runCommand(node: string, command: string, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    return (await this.runCommands(node, [command], opts))[0]!;
  }

  private async connect(node: string, t: Target, acceptNew: boolean): Promise<SshClient> {
    const privateKey = await readPrivateKey(node, t.keyFile);
    const known = await readKnownHosts(t.knownHostsFile);
    const algorithms = knownKeyAlgorithms(known, t.address, t.port);
    let verdict: HostKeyVerdict | undefined;
    let offered: Buffer | undefined;
    const client = new Client();
    const config: ConnectConfig = {
      host: t.address,
      port: t.port,
      username: t.user,
      privateKey,
      readyTimeout: this.opts.connectTimeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) => {
        offered = key;
        verdict = verifyHostKey(known, t.address, t.port, key);
        return verdict.kind === 'known' || (verdict.kind === 'unknown' && acceptNew);
      },
      ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as never } } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      let first = true;
      client.once('ready', () => resolve());
      // Stays attached: a dying connection may report more than one error.
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (!first) return;
        first = false;
        client.end();
        reject(this.connectError(node, t, err, verdict, offered, algorithms.length > 0, known));
      });
      client.connect(config);
      // Each exec is a few small packets each way; with Nagle on, every one waits for the
      // peer's delayed ACK (~40 ms on Linux), so a dozen read-only checks cost a second.
      client.setNoDelay(true);
    });
    if (verdict?.kind === 'unknown' && offered) {
      await appendKnownHost(t.knownHostsFile, t.address, t.port, offered);
      this.opts.log?.({ node, driver: 'ssh', message: `recorded new host key ${fingerprint(offered)} in ${t.knownHostsFile}` });
    }
    return client;
  }

  private connectError(
    node: string,
    t: Target,
    err: Error & { level?: string; code?: string },
    verdict: HostKeyVerdict | undefined,
    offered: Buffer | undefined,
    restricted: boolean,
    known: Awaited<ReturnType<typeof readKnownHosts>>,
  ): Error {
    const fp = offered ? fingerprint(offered) : 'no key';
    if (verdict?.kind === 'unknown') return PowerMessages.sshUnknownHostKey(node, t.address, t.port, fp, t.knownHostsFile);
    if (verdict?.kind === 'revoked') return PowerMessages.sshRevokedHostKey(node, t.address, t.port, fp, t.knownHostsFile);
    if (verdict?.kind === 'changed') {
      return PowerMessages.sshChangedHostKey(node, t.address, t.port, fp, verdict.known.map((k) => k.fingerprint), t.knownHostsFile);
    }
    if (err.level === 'client-authentication') return PowerMessages.sshAuthRejected(node, t.address, t.port, t.user, t.keyFile);
    if (err.level === 'handshake' && restricted && !offered) {
      // The server offers none of the key types we know for it: its keys were replaced.
      const fps = entriesFor(known, t.address, t.port).map((e) => fingerprint(Buffer.from(e.key, 'base64')));
      return PowerMessages.sshChangedHostKey(node, t.address, t.port, 'no key of a known type', fps, t.knownHostsFile);
    }
    return PowerMessages.sshUnreachable(node, t.address, t.port, err.code ?? err.message);
  }
}

export interface CommandResult {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function execOne(client: SshClient, node: string, command: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    const timer = setTimeout(() => reject(PowerMessages.sshCommandTimedOut(node, command, timeoutMs)), timeoutMs);
    client.exec(command, (err, stream) => {
      if (err) {
        clearTimeout(timer);
        return reject(PowerMessages.sshExecRefused(node, command, err.message));
      }
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => {
        clearTimeout(timer);
        resolve({ command, stdout, stderr, exitCode: code });
      });
    });
  });
}

async function readPrivateKey(node: string, keyFile: string): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(keyFile);
  } catch (err) {
    throw PowerMessages.sshKeyUnusable(node, keyFile, (err as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw PowerMessages.sshKeyUnusable(node, keyFile, parsed.message);
  return key;
}

/**
 * Runs the shutdown command. Exit 0 is success; so is the connection dropping before an
 * exit status arrives, because a node that powers off takes its sshd with it.
 */
function runShutdown(client: SshClient, node: string, command: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(PowerMessages.sshCommandFailed(node, command, null, `no answer after ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    let exit: { code: number | null } | undefined;
    // Decide at close, when all output has arrived; no exit status means the link dropped.
    const closed = () =>
      finish(!exit || exit.code === 0 ? undefined : PowerMessages.sshCommandFailed(node, command, exit.code, output));
    client.once('close', closed);
    client.on('error', closed);
    client.exec(command, (err, stream) => {
      if (err) return finish(PowerMessages.sshCommandFailed(node, command, null, err.message));
      stream.on('data', (d: Buffer) => (output += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (output += d.toString()));
      stream.on('exit', (code: number | null) => (exit = { code }));
      stream.on('close', closed);
    });
  });
}

// A real OpenSSH sshd for one twin node (Debian openssh-server), for the peer tests:
// listens on the node's loopback address, uses the host key the caller made with
// ssh-keygen, lets in only the given public keys, and forces every login through a
// script that tells the twin's control endpoint to shut the node down. Runs in the
// foreground (-D -e), so stop() is a signal to a process we started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tcpPortOpen } from '../../power/probe.js';
import { assertLoopback } from './loopback.js';
import { sshdForceCommandScript, writeScript } from './scripts.js';

export const SshdBinary = '/usr/sbin/sshd';

export interface SshdOptions {
  node: string;
  address: string;
  port: number;
  /** Directory for its config, script, pid file and log. */
  dir: string;
  /** Private host key file (made with `ssh-keygen -t ed25519 -N '' -f …`). */
  hostKeyFile: string;
  /** Public key lines allowed in. */
  authorizedKeys: string[];
  controlUrl: string;
}

export interface SshdPeer {
  readonly node: string;
  readonly address: string;
  readonly port: number;
  readonly logFile: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Writes the config and starts sshd (see testbed-facts: /run/sshd, StrictModes, UsePAM). */
export async function startSshd(opts: SshdOptions): Promise<SshdPeer> {
  const peer = await prepareSshd(opts);
  await peer.start();
  return peer;
}

/** Writes the config; start() is left to the caller (e.g. followPower). */
export async function prepareSshd(opts: SshdOptions): Promise<SshdPeer> {
  assertLoopback(opts.address);
  await access(SshdBinary).catch(() => {
    throw new Error(`${SshdBinary} is missing: install the Debian package openssh-server`);
  });
  await mkdir(opts.dir, { recursive: true });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const script = join(opts.dir, 'force-command.sh');
  const authorized = join(opts.dir, 'authorized_keys');
  const config = join(opts.dir, 'sshd_config');
  const logFile = join(opts.dir, 'sshd.log');
  await writeScript(script, sshdForceCommandScript(opts.controlUrl, opts.node));
  await writeFile(authorized, opts.authorizedKeys.map((k) => k.trim()).join('\n') + '\n', { mode: 0o600 });
  await writeFile(
    config,
    [
      `ListenAddress ${opts.address}:${opts.port}`,
      `HostKey ${opts.hostKeyFile}`,
      `PidFile ${join(opts.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'LogLevel VERBOSE',
      `ForceCommand ${script}`,
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  const log = createWriteStream(logFile, { flags: 'a' });
  return {
    node: opts.node,
    address: opts.address,
    port: opts.port,
    logFile,
    pid: () => child?.pid,
    async start() {
      if (child) return;
      const proc = spawn(SshdBinary, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout?.pipe(log, { end: false });
      proc.stderr?.pipe(log, { end: false });
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      for (let i = 0; i < 100; i++) {
        if (await tcpPortOpen(opts.address, opts.port, 200)) return;
        const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 50))]);
        if (code !== 'running') {
          child = undefined;
          throw new Error(`sshd for ${opts.node} exited with ${code}; see ${logFile}`);
        }
      }
      throw new Error(`sshd for ${opts.node} did not listen on ${opts.address}:${opts.port}; see ${logFile}`);
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

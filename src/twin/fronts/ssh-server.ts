// An in-process SSH daemon for one twin node (ssh2 Server), so `rehearse` needs no sshd:
// the node's host key, one authorized user key, and an exec of a shutdown command
// (`shutdown`, `poweroff`, `halt`, with or without `sudo -i`) powers the twin node off.
// Other commands go to an optional handler (the network checks' model of the node).
// It listens only while the node is on, like the real sshd it stands for.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ParsedKey } from 'ssh2'; // CommonJS: no named value imports
import type { TwinNodePower } from '../power.js';
import { assertLoopback } from './loopback.js';
const { Server, utils } = ssh2;

export interface TwinSshServerOptions {
  node: string;
  address: string;
  /** Fixed port (0: the kernel picks one at the first start, then it is kept). */
  port: number;
  /** Private host key (OpenSSH or PEM). */
  hostKey: string;
  /** The one public key allowed in ("ssh-ed25519 AAAA… comment"). */
  authorizedKey: string;
  user: string;
  power: TwinNodePower;
  /** Answers other commands (the network checks); undefined from it: not modelled (exit 127). */
  commands?: SshCommandHandler;
}

export interface SshCommandAnswer {
  stdout?: string;
  stderr?: string;
  exitCode: number;
}

/** Hook for commands besides shutdown, answered from the twin's model of the node. */
export type SshCommandHandler = (node: string, command: string) => Promise<SshCommandAnswer | undefined> | SshCommandAnswer | undefined;

const SHUTDOWN = /^(sudo( -i)? )?(\/s?bin\/|\/usr\/s?bin\/)?(shutdown|poweroff|halt)\b/;

export class TwinSshServer {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly allowed: ParsedKey;
  port: number;
  /** Logins accepted so far (tests count handshakes with it). */
  logins = 0;

  constructor(private readonly opts: TwinSshServerOptions) {
    assertLoopback(opts.address);
    const key = utils.parseKey(opts.authorizedKey);
    if (key instanceof Error) throw new Error(`twin sshd for ${opts.node}: bad authorized key: ${key.message}`);
    this.allowed = key;
    this.port = opts.port;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const ssh = new Server({ hostKeys: [this.opts.hostKey] }, (client) => this.accept(client));
    // Our own listener, so stop() can cut the raw sockets like a host going dark.
    const server = createServer((sock) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
      sock.on('error', () => undefined);
      // Without it every answer waits on the client's delayed ACK: ~40 ms of idle loop
      // per exec, during which a virtual clock sees nothing to do and jumps ahead.
      sock.setNoDelay(true);
      ssh.injectSocket(sock);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.opts.address, () => resolve());
    });
    const addr = server.address();
    if (typeof addr === 'object' && addr) this.port = addr.port;
    this.server = server;
  }

  /** Like the OS going down: the listener closes and open sessions drop. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Connection): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== this.opts.user) return ctx.reject(['publickey']);
      const pub = this.allowed.getPublicSSH();
      const same = ctx.key.algo === this.allowed.type && ctx.key.data.length === pub.length && timingSafeEqual(ctx.key.data, pub);
      if (!same) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && this.allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        return ctx.reject(['publickey']);
      }
      ctx.accept();
    });
    client.on('ready', () => {
      this.logins++;
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          const ch = acceptExec();
          if (SHUTDOWN.test(info.command.trim())) {
            this.opts.power.requestShutdown(this.opts.node);
            ch.write(`Shutdown scheduled for ${new Date().toUTCString()}, use 'shutdown -c' to cancel.\n`);
            ch.exit(0);
            ch.end();
            return;
          }
          void Promise.resolve(this.opts.commands?.(this.opts.node, info.command))
            .catch((e: Error): SshCommandAnswer => ({ stderr: `twin ${this.opts.node}: ${e.message}\n`, exitCode: 1 }))
            .then((a: SshCommandAnswer | undefined) => {
              if (a) {
                if (a.stdout) ch.write(a.stdout);
                if (a.stderr) ch.stderr.write(a.stderr);
                ch.exit(a.exitCode);
              } else {
                ch.stderr.write(`twin ${this.opts.node}: only shutdown is modelled, not "${info.command}"\n`);
                ch.exit(127);
              }
              ch.end();
            });
        });
      });
    });
  }
}

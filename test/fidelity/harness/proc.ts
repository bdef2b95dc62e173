// One long-running child process of the fidelity bed (etcd, kube-apiserver,
// kube-controller-manager): output to a log file, a readiness probe, and a stop that
// waits for the exit so ports and data directories are free afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface DaemonSpec {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Start it again when it exits on its own, as the kubelet restarts a static pod
   * (kube-controller-manager exits when the apiserver vanishes while it starts).
   */
  restartOnExit?: boolean;
}

export class Daemon {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** How many times it was restarted after exiting on its own. */
  restarts = 0;

  constructor(readonly spec: DaemonSpec) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    if (this.running) throw new Error(`${this.spec.name} is already running (pid ${this.child?.pid})`);
    const log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(this.spec.bin, this.spec.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.spec.env ?? process.env,
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        log.end(`\n--- ${this.spec.name} exited code=${code} signal=${signal}\n`);
        resolve(code);
        if (this.spec.restartOnExit && !this.stopping) {
          this.restartTimer = setTimeout(() => {
            if (this.stopping) return;
            this.restarts++;
            this.start();
          }, 1_000);
        }
      });
      child.on('error', (err) => {
        log.end(`\n--- ${this.spec.name} failed to start: ${err.message}\n`);
        resolve(null);
      });
    });
    this.child = child;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves once the process has gone. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || !this.running || !this.exit) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls `probe` until it returns true; fails early (with the log's tail) if the process exits. */
  async waitReady(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited before it was ready:\n${await this.logTail()}`);
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${this.spec.name} not ready after ${timeoutMs} ms:\n${await this.logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async logTail(lines = 30): Promise<string> {
    const text = await readFile(this.spec.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }
}

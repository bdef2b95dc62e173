// runCli: the fallow CLI in a child process (`node --import tsx src/cli/main.ts …`), as a
// user runs it, for tests that check exit codes and what lands on stdout/stderr.
// The environment is explicit: only PATH, HOME (a scratch dir unless given) and `env`,
// so a developer's own KUBECONFIG or ~/.kube/config never leaks into a test.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Kill the child after this many wall ms (a hung CLI fails the test instead of the suite). */
  timeoutMs?: number;
  stdin?: string;
  cwd?: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, opts: RunCliOptions = {}): Promise<CliResult> {
  const home = env.HOME ?? mkdtempSync(join(tmpdir(), 'fallow-home-'));
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

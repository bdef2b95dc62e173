// `fallow twin up` in a child process: it prints where its kubeconfig is, `fallow plan`
// works against it from another process, and Ctrl-C stops it cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import { repoRoot, runCli } from '../helpers/cli.js';

describe('fallow twin up', () => {
  it('serves a twin that plan can read, until Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fallow-twinup-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'twin', 'up', '--dir', dir, '--no-power-fronts', '--scale', '300'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (out.includes('in another shell')) {
            clearInterval(check);
            resolve();
          } else if (child.exitCode !== null) {
            clearInterval(check);
            reject(new Error(`twin up exited early: ${err}`));
          }
        }, 50);
      });
      expect(out).toMatch(/^twin "default" is up: 4 nodes, \d+ VMs, modelled time ×300$/m);
      const kubeconfig = out.match(/kubeconfig (\S+)/)![1]!;
      const env = Object.fromEntries(
        readFileSync(join(dir, 'env'), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('export '))
          .map((l) => l.slice('export '.length).split('=', 2) as [string, string]),
      );
      expect(env.KUBECONFIG).toBe(kubeconfig);
      const plan = await runCli(['plan', '-o', 'json'], { KUBECONFIG: env.KUBECONFIG, FALLOW_CLOCK: env.FALLOW_CLOCK });
      expect(plan.code).toBe(ExitCode.ok);
      expect(JSON.parse(plan.stdout)).toMatchObject({ kind: 'Plan', ok: true });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopping the twin');
  });
});

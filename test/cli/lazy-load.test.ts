// `fallow --help`, every command's --help and shell completion load no heavy stack: the
// modules a child process imported (traced by test/helpers/module-trace) include neither
// the Kubernetes client nor the twin, the runbooks, the engine or the guard's NUT client.
// Each command module declares flags and help; its work is imported when it runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fallow-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Import specifiers that mean a heavy stack was loaded (matched against resolved URLs). */
const heavy = ['@kubernetes/client-node', '/src/twin/', '/src/runbook/', '/src/engine/', '/src/journal/run', '/src/guard/nut-', '/src/report/', 'listr2', 'node_modules/zod/', 'node_modules/yaml/'];

async function loadedBy(args: string[]): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(dir, `${args.join('_').replace(/\W+/g, '-')}.txt`);
  const r = await runCli(args, { NODE_OPTIONS: `--import=${join(repoRoot, 'test/helpers/module-trace/register.mjs')}`, FALLOW_MODULE_TRACE: trace });
  const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  return { code: r.code, modules };
}

describe('help and completion stay light', () => {
  it('the trace sees what a command really loads (a check that can fail)', async () => {
    const { modules } = await loadedBy(['explain', 'shutdown.workers', '-o', 'json']);
    expect(modules.some((m) => m.includes('/src/runbook/'))).toBe(true);
  });

  it.each([
    [['--help']],
    [['shutdown', '--help']],
    [['restart', '--help']],
    [['resume', '--help']],
    [['rehearse', '--help']],
    [['plan', '--help']],
    [['verify', '--help']],
    [['status', '--help']],
    [['explain', '--help']],
    [['rbac', '--help']],
    [['power', 'import', '--help']],
    [['guard', 'run', '--help']],
    [['twin', 'up', '--help']],
    [['completion', 'bash']],
  ])('fallow %j', async (args) => {
    const { code, modules } = await loadedBy(args);
    expect(code).toBe(ExitCode.ok);
    expect(modules.length).toBeGreaterThan(0);
    // each offending module with the one that imported it, so a failure names the chain
    expect(modules.filter((m) => heavy.some((h) => m.split(' ')[0]!.includes(h)))).toEqual([]);
  });
});

// `fallow plan --budget`: durations, and the plan the guard would choose on the default
// twin for a budget that fits and one that cannot, as text and JSON, read-only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/common/errors.js';
import { parseBudget, type BudgetPlanView } from '../../../src/guard/wiring/budget-plan.js';
import { startTwin, type Twin } from '../../../src/twin/runtime.js';
import { runMain } from '../../cli/run-main.js';

describe('parseBudget', () => {
  it.each([
    ['8m', 480_000],
    ['450s', 450_000],
    ['1h30m', 5_400_000],
    ['90', 90_000],
    ['2.5m', 150_000],
  ])('%s → %i ms', (v, ms) => expect(parseBudget(v)).toBe(ms));
  it.each(['', 'x8', '8 m', '0', '5d', 'm'])('rejects %j', (v) => expect(() => parseBudget(v)).toThrow(/invalid --budget/));
});

describe('fallow plan --budget on the twin', () => {
  let twin: Twin;
  let dir: string;
  beforeAll(async () => {
    twin = await startTwin({ scenarioPath: 'default', scale: 50 });
    dir = mkdtempSync(join(tmpdir(), 'fallow-budget-plan-'));
  });
  afterAll(async () => {
    await twin?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = (...args: string[]) => runMain(['plan', '--kubeconfig', twin.kubeconfigPath, '--state-dir', join(dir, 'state'), ...args], { FALLOW_CLOCK: twin.clock.toEnv(), HOME: dir });

  it('a generous budget: the full plan fits, nothing skipped', async () => {
    const r = await plan('--budget', '1h');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^Budget 3600 s for cluster /);
    expect(r.stdout).toMatch(/FITS: ~\d+ s of 3600 s/);
    expect(r.stdout).toContain('Skipped: nothing');
    expect(r.stdout).toMatch(/shutdown\.support-bundle\s+\d+ s\s+yes\s+Generate a support bundle/);
  });

  it('a short budget, as JSON: reductions in ladder order; none fits: exit 1', async () => {
    const r = await plan('--budget', '9m', '-o', 'json');
    const v = JSON.parse(r.stdout) as BudgetPlanView;
    expect(v).toMatchObject({ apiVersion: 'fallow.budget-plan/v1', budgetMs: 540_000, cluster: { uid: twin.clusterUid } });
    expect(v.inventory).toMatchObject({ nodes: 4, runningVms: 10, rancherImported: true });
    expect(v.skipped.map((s) => s.id)).toEqual(['shutdown.support-bundle']);
    expect(v.steps.some((s) => s.id === 'shutdown.support-bundle')).toBe(false);
    expect(v.changes[0]).toMatch(/^VM stop parallelism 4 → 8/);
    expect(r.code).toBe(v.fits ? ExitCode.ok : ExitCode.failed);
    const hopeless = await plan('--budget', '2m');
    expect(hopeless.code).toBe(ExitCode.failed);
    expect(hopeless.stdout).toMatch(/DOES NOT FIT: even the most reduced plan needs ~\d+ s/);
    expect(hopeless.stdout).toContain('force-off');
  });

  it('takes its limits from a guard config', async () => {
    const cfg = join(dir, 'guard.yaml');
    writeFileSync(cfg, 'schemaVersion: 1\nkind: GuardConfig\nups: ups1@127.0.0.1\nbudget:\n  vmStopParallelism: 2\n  maxVmStopParallelism: 2\n  guestGraceSeconds: 60\n  minGuestGraceSeconds: 60\n  alwaysSkip: [shutdown.support-bundle]\n');
    const r = await plan('--budget', '1h', '--guard-config', cfg, '-o', 'json');
    const v = JSON.parse(r.stdout) as BudgetPlanView;
    expect(v.options).toEqual({ skipSteps: ['shutdown.support-bundle'], vmStopParallelism: 2, guestGraceSeconds: 60, forceOff: false });
    expect(v.limitsFrom).toBe(cfg);
    const bad = await plan('--budget', 'soon');
    expect(bad.code).toBe(ExitCode.usage);
  });
});

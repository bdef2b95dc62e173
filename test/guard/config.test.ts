// The GuardConfig file: defaults, unit conversion, and errors that name the field.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, formatError } from '../../src/common/errors.js';
import { defaultGuardConfig, loadGuardConfig, parseGuardConfig } from '../../src/guard/config.js';

const head = 'schemaVersion: 1\nkind: GuardConfig\n';

describe('parseGuardConfig', () => {
  it('fills defaults and converts seconds to ms; the lookahead is the poll interval', () => {
    const c = parseGuardConfig(`${head}ups: ups1@127.0.0.1:13493\nuser: monuser\npasswordFile: nut-pw\npollIntervalSeconds: 2\n`, '/etc/fallow/guard.yaml');
    expect(c.target).toEqual({ ups: 'ups1', host: '127.0.0.1', port: 13493 });
    expect(c.credentials).toEqual({ username: 'monuser', passwordFile: '/etc/fallow/nut-pw' });
    expect(c.pollIntervalMs).toBe(2000);
    expect(c.policy).toEqual({
      safetyMarginMs: 120_000,
      lowBatteryTriggers: true,
      assumedLowBatteryRuntimeMs: 120_000,
      lookaheadMs: 2000,
      flapToleranceMs: 60_000,
      restartMinChargePct: 50,
      restartStableMs: 600_000,
      budget: { defaults: { skipSteps: [], vmStopParallelism: 4, guestGraceSeconds: 180, forceOff: false }, maxVmStopParallelism: 16, minGuestGraceSeconds: 30 },
    });
  });

  it('takes every setting', () => {
    const c = parseGuardConfig(
      `${head}ups: ups1@10.0.0.5\nuser: u\npasswordEnv: NUT_PW\npolicy:\n  safetyMarginSeconds: 300\n  maxOnBatterySeconds: 900\n  lowBatteryTriggers: false\n  restart: {minChargePercent: 80, stableSeconds: 1200}\nbudget:\n  vmStopParallelism: 2\n  maxVmStopParallelism: 8\n  guestGraceSeconds: 120\n  minGuestGraceSeconds: 10\n  alwaysSkip: [backup-vms]\n`,
      'g.yaml',
    );
    expect(c.credentials).toEqual({ username: 'u', passwordEnv: 'NUT_PW' });
    expect(c.policy).toMatchObject({ safetyMarginMs: 300_000, maxOnBatteryMs: 900_000, lowBatteryTriggers: false, restartMinChargePct: 80, restartStableMs: 1_200_000 });
    expect(c.policy.budget).toEqual({ defaults: { skipSteps: ['backup-vms'], vmStopParallelism: 2, guestGraceSeconds: 120, forceOff: false }, maxVmStopParallelism: 8, minGuestGraceSeconds: 10 });
  });

  it.each([
    ['kind: GuardConfig\nups: u', /schemaVersion: Invalid input/],
    ['schemaVersion: 2\nkind: GuardConfig\nups: u', /has schemaVersion 2; this fallow reads 1/],
    [`${head}ups: "ups1@h:99999"`, /ups: .*port 99999/],
    [`${head}ups: u\nuser: x`, /passwordFile: give exactly one of passwordFile or passwordEnv/],
    [`${head}ups: u\npasswordEnv: PW`, /user: a password needs a user/],
    [`${head}ups: u\npassword: hunter2`, /Unrecognized key: "password"/],
    [`${head}ups: u\npolicy: {restart: {minChargePercent: 101}}`, /policy\.restart\.minChargePercent/],
    [`${head}ups: u\nbudget: {guestGraceSeconds: 20}`, /budget\.minGuestGraceSeconds: must be ≤ guestGraceSeconds/],
    [`${head}ups: [`, /not valid YAML/],
  ])('%s → a usage error naming the field', (text, msg) => {
    let err: unknown;
    try {
      parseGuardConfig(text, 'g.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(formatError(err)).toMatch(/^Guard config g\.yaml/);
    expect(formatError(err)).toMatch(msg);
  });

  it('a missing file is a usage error naming it', async () => {
    await expect(loadGuardConfig('/nonexistent/guard.yaml')).rejects.toThrow(/Cannot read guard config \/nonexistent\/guard\.yaml \(ENOENT\)/);
  });

  it('the example in docs/guard.md parses', async () => {
    const { readFile } = await import('node:fs/promises');
    const md = await readFile(new URL('../../docs/guard.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(yaml).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'guard-cfg-'));
    await writeFile(join(dir, 'guard.yaml'), yaml as string);
    const c = await loadGuardConfig(join(dir, 'guard.yaml'));
    expect(c.credentials?.passwordFile).toBe('/etc/fallow/nut-password');
  });
});

describe('the cluster section (how `guard run` reaches the cluster)', () => {
  it('defaults: no power inventory (nodes by hand), no backups, bundles on, stuck rancher pods force-deleted', () => {
    const c = parseGuardConfig(`${head}ups: ups1@127.0.0.1\n`, '/etc/fallow/guard.yaml');
    expect(c.cluster).toEqual({ backupVms: [], forceDeleteStuckPods: true, skipBundles: false, waveSize: 0, acceptNewHostKeys: false });
  });

  it('a relative power inventory is relative to the config file', () => {
    const c = parseGuardConfig(`${head}ups: ups1@127.0.0.1\ncluster:\n  power: power.yaml\n  backupVms: [default/db]\n  waveSize: 3\n`, '/etc/fallow/guard.yaml');
    expect(c.cluster).toMatchObject({ power: '/etc/fallow/power.yaml', backupVms: ['default/db'], waveSize: 3 });
    expect(() => parseGuardConfig(`${head}ups: u@h\ncluster:\n  powr: p.yaml\n`, 'g.yaml')).toThrow(/cluster: Unrecognized key: "powr"/);
  });

  it('defaultGuardConfig is the file with every default', () => {
    expect(defaultGuardConfig().policy.budget).toEqual(parseGuardConfig(`${head}ups: x@y\n`, 'g.yaml').policy.budget);
  });
});

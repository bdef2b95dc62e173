// The IPMI driver's contract with ipmitool: lanplus, cipher suite 3, -E with the password
// only in IPMI_PASSWORD (never argv), and how ipmitool's answers map to errors.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FatalError, UnreachableError } from '../../src/common/errors.js';
import { parseInventory, type PowerInventory } from '../../src/power/inventory.js';
import { IpmiDriver } from '../../src/power/ipmi.js';

const FAKE = fileURLToPath(new URL('./fixtures/fake-ipmitool.sh', import.meta.url));
const PASSWORD = 'ipmi-Unit-pw-7731';

let dir: string;
let inventory: PowerInventory;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-ipmi-'));
  await writeFile(join(dir, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  inventory = parseInventory(
    'schemaVersion: 1\nkind: PowerInventory\nnodes:\n  harv41:\n    bmc: {driver: ipmi, address: 10.1.0.41, port: 6230, username: ADMIN, passwordFile: pw}\n',
    join(dir, 'power.yaml'),
  );
});

function driver(mode: string) {
  const log = join(dir, `call-${mode}-${Math.random().toString(36).slice(2)}`);
  const d = new IpmiDriver(inventory, { ipmitoolPath: FAKE, env: { ...process.env, FAKE_IPMI_MODE: mode, FAKE_IPMI_LOG: log } });
  const seen = async () => ({
    argv: (await readFile(`${log}.argv`, 'utf8')).trim().split('\n'),
    password: await readFile(`${log}.env`, 'utf8'),
  });
  return { d, seen };
}

describe('IpmiDriver', () => {
  it.each([
    ['status', 'status'],
    ['shutdown', 'soft'],
    ['powerOn', 'on'],
    ['forceOff', 'off'],
  ] as const)('%s runs "chassis power %s" with the password only in IPMI_PASSWORD', async (method, command) => {
    const { d, seen } = driver(method === 'status' ? 'on' : 'control');
    await d[method]('harv41');
    const { argv, password } = await seen();
    expect(argv).toEqual([
      '-v', '-I', 'lanplus', '-C', '3', '-H', '10.1.0.41', '-p', '6230', '-U', 'ADMIN', '-E', '-N', '2', '-R', '2',
      'chassis', 'power', command,
    ]);
    expect(argv.join(' ')).not.toContain(PASSWORD);
    expect(argv).not.toContain('-P');
    expect(password).toBe(PASSWORD);
  });

  it('reads the chassis power state', async () => {
    expect(await driver('on').d.status('harv41')).toBe('on');
    expect(await driver('off').d.status('harv41')).toBe('off');
  });

  it.each(['badpw', 'baduser'])('maps a refused login (%s) to "BMC rejected the credentials"', async (mode) => {
    const err = await driver(mode).d.powerOn('harv41').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe('BMC rejected the credentials for harv41 (10.1.0.41)');
  });

  it('maps no answer to UnreachableError naming node, host and port', async () => {
    const err = await driver('unreach').d.status('harv41').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/^Cannot reach the IPMI BMC of node harv41 at 10\.1\.0\.41:6230/);
  });

  it('passes other failures through with ipmitool\'s own words, and check() reports without throwing', async () => {
    const { d } = driver('weird');
    await expect(d.powerOn('harv41')).rejects.toThrow(/failed to chassis power on: Unable to set Chassis Power Control to Up\/On/);
    const report = await d.check('harv41');
    expect(report).toMatchObject({ ok: false, driver: 'ipmi' });
    expect(report.detail).not.toContain(PASSWORD);
  });

  it('says how to fix a missing ipmitool', async () => {
    const d = new IpmiDriver(inventory, { ipmitoolPath: join(dir, 'no-such-ipmitool') });
    await expect(d.status('harv41')).rejects.toThrow(/install the ipmitool package/);
  });
});

// PowerController over the twin's in-process fronts (SSH + Redfish, or SSH only): the
// whole cycle, confirmation by BMC or by probe, a node that stays on, one that does not
// boot, --force, and the manual fallback when a BMC does not answer.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { FatalError, NeedsOperatorError, UnreachableError } from '../../src/common/errors.js';
import { freshBoot, PowerController, type Observation } from '../../src/power/controller.js';
import { inventoryToYaml, loadInventory, type PowerInventoryDoc } from '../../src/power/inventory.js';
import type { OperatorConsole } from '../../src/power/manual.js';
import { startPowerFronts, type PowerFronts, type PowerFrontsOptions } from '../../src/twin/fronts/fronts.js';
import { freeTcpPort } from '../../src/twin/fronts/loopback.js';
import { ScriptedOperator } from './helpers/operator.js';
import { TestNodePower } from './helpers/twin-power.js';

const clock = new ScaledClock(20);
const NODES = ['n1', 'n2', 'n3'];
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Twin {
  power: TestNodePower;
  fronts: PowerFronts;
}

/** Fronts are slow to make (a CA per BMC): one set per describe, reset before each test. */
function twinFor(bmc: PowerFrontsOptions['bmc']): () => Twin {
  let twin: Twin | undefined;
  beforeAll(async () => {
    const power = new TestNodePower(NODES, clock, { shutdownMs: 5000, bootMs: 10_000 });
    const dir = await mkdtemp(join(tmpdir(), 'fallow-ctl-'));
    const fronts = await startPowerFronts(power, NODES.map((name, i) => ({ name, address: `127.0.1.${11 + i}` })), { dir, bmc });
    twin = { power, fronts };
  });
  afterAll(async () => {
    twin?.power.dispose();
    await twin?.fronts.stop();
  });
  beforeEach(async () => {
    const { power, fronts } = twin!;
    power.faults.set({ nodeWontPowerOff: [], nodeWontBoot: [] });
    for (const n of NODES) {
      if (power.state(n) === 'on') continue;
      power.forceOff(n);
      power.powerOn(n);
      while (power.state(n) !== 'on') await clock.sleep(1000);
    }
    for (const s of fronts.redfish.values()) {
      s.resets.length = 0;
      if (!s.listening) await s.start();
    }
    await fronts.settled();
  });
  return () => twin!;
}

async function rig(twin: Twin, operator: OperatorConsole = new ScriptedOperator(false, true)) {
  const { power, fronts } = twin;
  const ctl = new PowerController({
    inventory: await loadInventory(fronts.inventoryPath),
    clock,
    nodeReady: (n) => Promise.resolve(power.state(n) === 'on'),
    console: operator,
    pollMs: 1000,
    probeTimeoutMs: 500,
  });
  cleanup.push(() => ctl.close());
  const deadline = (s: number) => clock.now() + s * 1000;
  return { power, fronts, ctl, deadline };
}

describe('PowerController with Redfish BMCs', () => {
  const twin = twinFor('redfish');

  it('shuts every node down over SSH, sees them off at the BMC, powers them on and sees them boot', async () => {
    const { power, ctl, fronts, deadline } = await rig(twin());
    expect(ctl.route('n1')).toEqual({ node: 'n1', shutdown: 'ssh', powerOn: 'redfish', status: 'bmc' });
    for (const r of (await Promise.all(NODES.map((n) => ctl.check(n)))).flat()) expect(r).toMatchObject({ ok: true });
    for (const n of NODES) await ctl.shutdown(n, { deadline: deadline(120) });
    expect(NODES.map((n) => power.state(n))).toEqual(['off', 'off', 'off']);
    expect((await ctl.observe('n2')).evidence).toBe('BMC says off');
    // Graceful only: the BMCs saw no reset at all during the shutdown.
    expect([...fronts.redfish.values()].flatMap((s) => s.resets)).toEqual([]);
    for (const n of NODES) await ctl.powerOn(n, { deadline: deadline(120) });
    expect(NODES.map((n) => power.state(n))).toEqual(['on', 'on', 'on']);
    expect((await ctl.observe('n3')).evidence).toMatch(/^BMC says on; Ready, SSH port 127\.0\.1\.13:\d+ open$/);
    // A second round is a no-op.
    await ctl.powerOn('n1', { deadline: deadline(10) });
    expect(fronts.redfish.get('n1')?.resets).toEqual(['On']);
  });

  it('falls back to a BMC soft-off when the SSH server cannot be reached', async () => {
    const { power, fronts, deadline } = await rig(twin());
    const doc = parseYaml(await readFile(fronts.inventoryPath, 'utf8')) as PowerInventoryDoc;
    doc.nodes.n1!.ssh!.port = await freeTcpPort('127.0.1.11'); // nothing listens there
    const variant = join(dirname(fronts.inventoryPath), 'ssh-away.yaml');
    await writeFile(variant, inventoryToYaml(doc));
    const log: string[] = [];
    const ctl = new PowerController({
      inventory: await loadInventory(variant),
      clock,
      nodeReady: (n) => Promise.resolve(power.state(n) === 'on'),
      console: new ScriptedOperator(false, true),
      pollMs: 1000,
      log: (e) => log.push(e.message),
    });
    cleanup.push(() => ctl.close());
    await ctl.shutdown('n1', { deadline: deadline(120) });
    expect(power.state('n1')).toBe('off');
    expect(fronts.redfish.get('n1')?.resets).toEqual(['GracefulShutdown']);
    expect(log[0]).toMatch(/^SSH unreachable \(Cannot reach the SSH server of node n1 at 127\.0\.1\.11:\d+: ECONNREFUSED/);
  });

  it('names a node that stays on, and cuts it only with force', async () => {
    const { power, ctl, fronts, deadline } = await rig(twin());
    power.faults.set({ nodeWontPowerOff: ['n2'] });
    const err = await ctl.shutdown('n2', { deadline: deadline(30) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/^Node n2 is still on \d+ s after it was asked to shut down \(BMC says on; NotReady, SSH port 127\.0\.1\.12:\d+ open\)$/);
    expect(power.state('n2')).toBe('shutting-down');
    expect(fronts.redfish.get('n2')?.resets).toEqual([]);
    await ctl.shutdown('n2', { deadline: deadline(30), force: true });
    expect(power.state('n2')).toBe('off');
    expect(fronts.redfish.get('n2')?.resets).toEqual(['ForceOff']);
  });

  it('names a node that does not boot', async () => {
    const { power, ctl, deadline } = await rig(twin());
    await ctl.shutdown('n1', { deadline: deadline(60) });
    power.faults.set({ nodeWontBoot: ['n1'] });
    const err = await ctl.powerOn('n1', { deadline: deadline(40) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/^Node n1 did not come up within \d+ s of power-on \(BMC says on; NotReady, SSH port 127\.0\.1\.11:\d+ closed\)$/);
    expect(power.state('n1')).toBe('booting');
  });

  it('with an unreachable BMC: fails under --yes, falls back to the operator when someone is there', async () => {
    const pressed: string[] = [];
    const operator = new ScriptedOperator(true, false, [
      () => {
        pressed.push('n3');
        power.powerOn('n3');
        return '';
      },
    ]);
    const { power, ctl, fronts, deadline } = await rig(twin(), operator);
    await ctl.shutdown('n3', { deadline: deadline(60) });
    await fronts.redfish.get('n3')?.stop();
    const unattended = new PowerController({
      inventory: await loadInventory(fronts.inventoryPath),
      clock,
      nodeReady: (n) => Promise.resolve(power.state(n) === 'on'),
      console: new ScriptedOperator(true, true),
      pollMs: 1000,
    });
    const err = await unattended.powerOn('n3', { deadline: deadline(60) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/^Cannot reach the Redfish BMC of node n3 at 127\.0\.1\.13:\d+: ECONNREFUSED$/);
    expect(power.state('n3')).toBe('off');
    await ctl.powerOn('n3', { deadline: deadline(120) });
    expect(pressed).toEqual(['n3']);
    expect(power.state('n3')).toBe('on');
    expect(operator.lines[0]).toMatch(/^The BMC did not answer: Cannot reach the Redfish BMC of node n3/);
    expect(operator.lines[1]).toMatch(/^ACTION NEEDED: switch ON node n3, IP 127\.0\.1\.13, BMC 127\.0\.1\.13, location: twin node n3/);
  });
});

describe('PowerController without BMCs', () => {
  const twin = twinFor('none');

  it('confirms off by NotReady and a closed SSH port; power-on needs the operator', async () => {
    const { power, ctl, deadline } = await rig(twin());
    expect(ctl.route('n1')).toEqual({ node: 'n1', shutdown: 'ssh', powerOn: 'manual', status: 'probe' });
    await ctl.shutdown('n1', { deadline: deadline(60) });
    expect(power.state('n1')).toBe('off');
    expect((await ctl.observe('n1')).evidence).toMatch(/^NotReady, SSH port 127\.0\.1\.11:\d+ closed$/);
    const err = await ctl.powerOn('n1', { deadline: deadline(60) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect((err as Error).message).toMatch(/^Node n1 must be switched on by hand, but nobody is at the terminal/);
    expect(power.state('n1')).toBe('off');
    const checks = await ctl.check('n2');
    expect(checks.map((c) => [c.driver, c.ok])).toEqual([['ssh', true], ['manual', false]]);
  });

  it('powers on by hand with an operator, then sees the node boot', async () => {
    const operator = new ScriptedOperator(true, false, [
      () => {
        power.powerOn('n2');
        return '';
      },
    ]);
    const { power, ctl, deadline } = await rig(twin(), operator);
    await ctl.shutdown('n2', { deadline: deadline(60) });
    await ctl.powerOn('n2', { deadline: deadline(120) });
    expect(power.state('n2')).toBe('on');
    expect(operator.lines[0]).toMatch(/^ACTION NEEDED: switch ON node n2, IP 127\.0\.1\.12, location: twin node n2/);
  });
});

describe('PowerController when Kubernetes still says Ready after a power cut', () => {
  const twin = twinFor('none');

  it('does not take the stale Ready for a running node: it asks for the power-on and waits for the OS', async () => {
    const operator = new ScriptedOperator(true, false, [
      () => {
        power.powerOn('n3');
        return '';
      },
    ]);
    const { power, fronts } = twin();
    // Kubernetes has not noticed yet: the Node still says Ready, with the old boot id.
    const ctl = new PowerController({
      inventory: await loadInventory(fronts.inventoryPath),
      clock,
      nodeReady: () => Promise.resolve({ ready: true, bootId: 'boot-before' }),
      console: operator,
      pollMs: 1000,
      probeTimeoutMs: 500,
    });
    cleanup.push(() => ctl.close());
    power.forceOff('n3');
    await fronts.settled();
    const off = await ctl.observe('n3');
    expect(off).toMatchObject({ state: 'unknown', booted: false });
    expect(off.evidence).toMatch(/^Ready, SSH port 127\.0\.1\.13:\d+ closed \(Ready not withdrawn yet, or sshd down\)$/);
    await ctl.powerOn('n3', { deadline: clock.now() + 120_000 });
    expect(operator.lines[0]).toMatch(/^ACTION NEEDED: switch ON node n3/);
    expect(power.state('n3')).toBe('on');
  });
});

describe('freshBoot: evidence of a boot after the power-on', () => {
  const ob = (o: Partial<Observation>): Observation => ({ state: 'on', evidence: '', booted: true, ...o });
  it.each<[string, Observation[], string | undefined, boolean]>([
    ['the SSH port answers', [ob({ ready: true, portOpen: true })], 'b1', true],
    ['Ready but the port is closed', [ob({ ready: true, portOpen: false })], undefined, false],
    ['no port: Ready with the boot id from before', [ob({ ready: true, bootId: 'b1' })], 'b1', false],
    ['no port: Ready with a new boot id', [ob({ ready: true, bootId: 'b2' })], 'b1', true],
    ['no port: Ready after it was seen NotReady', [ob({ state: 'off', booted: false, ready: false, bootId: 'b1' }), ob({ ready: true, bootId: 'b1' })], 'b1', true],
    ['no port: Ready seen throughout, same boot id', [ob({ state: 'off', booted: false, ready: true, bootId: 'b1' }), ob({ ready: true, bootId: 'b1' })], 'b1', false],
    ['no port and no boot id known before: Ready is all there is', [ob({ ready: true })], undefined, true],
    ['API unreachable', [ob({})], 'b1', false],
  ])('%s', (_name, history, before, expected) => {
    expect(freshBoot(history, before)).toBe(expected);
  });
});

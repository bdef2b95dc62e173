// The power layer against a whole twin (startTwin, the seed's default cluster) through its
// in-process fronts, as `rehearse` wires it: readiness comes from the twin's Node objects,
// power from its NodePowerModel via SSH and Redfish.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeObject } from '../../src/common/harvester-types.js';
import { Kinds } from '../../src/common/harvester.js';
import { PowerController } from '../../src/power/controller.js';
import { loadInventory } from '../../src/power/inventory.js';
import { tcpPortOpen } from '../../src/power/probe.js';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { ScriptedOperator } from './helpers/operator.js';

let twin: Twin;
let fronts: PowerFronts;
let ctl: PowerController;

beforeAll(async () => {
  twin = await startTwin({ scenarioPath: 'default', scale: 200, server: false });
  const dir = await mkdtemp(join(tmpdir(), 'fallow-power-twin-'));
  fronts = await startPowerFronts(twin.power, twin.power.nodes().map((name) => ({ name })), { dir, ssh: 'inprocess', bmc: 'redfish' });
  ctl = new PowerController({
    inventory: await loadInventory(fronts.inventoryPath),
    clock: twin.clock,
    nodeReady: async (name) => {
      const node = await twin.api.get<NodeObject>(Kinds.Node, undefined, name);
      return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    console: new ScriptedOperator(false, true),
    pollMs: 5000,
  });
});

afterAll(async () => {
  await ctl?.close();
  await fronts?.stop();
  await twin?.stop();
});

describe('power on the default twin', () => {
  it('has one front per twin node on its own loopback address', () => {
    expect(fronts.nodes.map((n) => [n.name, n.address])).toEqual(
      twin.power.nodes().map((name, i) => [name, `127.0.1.${i + 1}`]),
    );
  });

  it('shuts the worker down over SSH and brings it back through its BMC', async () => {
    const t0 = twin.clock.now();
    await ctl.shutdown('harv2', { deadline: t0 + 10 * 60_000 });
    expect(twin.power.state('harv2')).toBe('off');
    await ctl.powerOn('harv2', { deadline: twin.clock.now() + 15 * 60_000 });
    // Seen booted can come a moment before the twin's state flips to on (the SSH front opens
    // with the OS); under load that moment is visible.
    await vi.waitFor(() => expect(twin.power.state('harv2')).toBe('on'), { timeout: 30_000 });
    expect(twin.power.bootCount('harv2')).toBe(1);
    expect(fronts.redfish.get('harv2')?.resets).toEqual(['On']);
  });

  it('after a fast power cycle, waits for the OS instead of the Ready the Node still shows', async () => {
    const node = 'harv43';
    const isReady = async () => (await twin.api.get<NodeObject>(Kinds.Node, undefined, node))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    twin.power.forceOff(node);
    await fronts.settled();
    // The node-monitor grace has not run out: Kubernetes still says Ready.
    expect(await isReady()).toBe(true);
    await ctl.powerOn(node, { deadline: twin.clock.now() + 15 * 60_000 });
    const ssh = (await loadInventory(fronts.inventoryPath)).ssh(node);
    expect(await tcpPortOpen(ssh.address, ssh.port)).toBe(true);
    expect(twin.power.bootCount(node)).toBe(1);
  });
});

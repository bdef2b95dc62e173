// The checks' verdicts against the twin's model of a node (its answers are the real
// commands' formats), healthy and with each drift of a moved or long-stopped site; then the
// same over SSH through the in-process SSH front, as the runbook runs them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kinds } from '../../src/common/harvester.js';
import { readBaseline, runNetChecks, type CommandRunner } from '../../src/netcheck/checks.js';
import { SshNetCheck } from '../../src/netcheck/port.js';
import { loadInventory } from '../../src/power/inventory.js';
import type { NetExpectations } from '../../src/runbook/netcheck-port.js';
import { LocalTwinApi } from '../../src/twin/api.js';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { TwinNodeNetwork, type NodeNetDrift } from '../../src/twin/node-network/model.js';
import { allTwinTypes } from '../../src/twin/resources.js';
import { Store } from '../../src/twin/store/store.js';
import type { TwinNodePower, TwinPowerState } from '../../src/twin/power.js';

async function twinSide(): Promise<{ api: LocalTwinApi; net: TwinNodeNetwork }> {
  const store = new Store();
  for (const t of allTwinTypes) store.register(t);
  const api = new LocalTwinApi(store);
  await api.create({ ...Kinds.Node, metadata: { name: 'harv41' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.122.141' }] } });
  await api.create({ ...Kinds.VlanConfig, metadata: { name: 'data-all' }, spec: { clusterNetwork: 'data', uplink: { nics: ['eth2'] } } });
  return { api, net: new TwinNodeNetwork(api) };
}

function runnerOf(net: TwinNodeNetwork, node: string): CommandRunner {
  return {
    run: (commands) =>
      Promise.all(
        commands.map(async (command) => {
          const a = await net.handler(node, command);
          return { command, stdout: a?.stdout ?? '', stderr: a ? (a.stderr ?? '') : 'not modelled', exitCode: a ? a.exitCode : 127 };
        }),
      ),
  };
}

const expectations: NetExpectations = {
  ip: '192.168.122.141',
  gateway: '192.168.122.1',
  names: ['0.suse.pool.ntp.org', 'rancher.example.com', 'registry.example.com'],
  ntpMaxOffsetMs: 1000,
  proxies: ['http://proxy.example.com:3128'],
  registries: [{ url: 'https://registry.example.com:5000', proxy: 'http://proxy.example.com:3128' }],
  interfaces: ['mgmt-br', 'data-br', 'data-bo', 'eth2'],
};

describe('network checks against the twin node model', () => {
  it('passes every check on a healthy, unmoved node', async () => {
    const { net } = await twinSide();
    const results = await runNetChecks(runnerOf(net, 'harv41'), expectations);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(['ip', 'gateway', 'dns', 'dns', 'dns', 'ntp', 'proxy', 'registry', 'vlan', 'vlan', 'vlan', 'vlan']);
    expect(results.find((r) => r.check === 'ip')!.detail).toBe('on mgmt-br');
    expect(results.find((r) => r.check === 'ntp')!.detail).toMatch(/^synchronised, offset \+0\.1 ms \(systemd-timesyncd\)$/);
  });

  it.each<[string, NodeNetDrift, string | string[], RegExp]>([
    ['a wrong gateway', { gateway: '10.9.0.1' }, 'gateway', /default gateway is 10\.9\.0\.1, it was 192\.168\.122\.1 before the shutdown/],
    ['a gateway that does not answer', { gatewayDown: true }, 'gateway', /192\.168\.122\.1 does not answer ping \(3 packets transmitted, 0 received, 100% packet loss/],
    ['DNS failing', { dnsFails: ['rancher.example.com'] }, 'dns', /rancher\.example\.com does not resolve/],
    ['clock skew', { clockOffsetSeconds: 312.5 }, 'ntp', /clock offset \+312\.5 s exceeds 1 s \(systemd-timesyncd\)/],
    ['an unsynchronised clock', { ntpUnsynced: true }, 'ntp', /not synchronised \(systemd-timesyncd\)/],
    // the registry is reached through the proxy, so it fails with it
    ['an unreachable proxy', { unreachable: ['proxy.example.com'] }, ['proxy', 'registry'], /http:\/\/proxy\.example\.com:3128 unreachable: connection refused or no route/],
    ['a missing VLAN interface', { missingInterfaces: ['data-br'] }, 'vlan', /interface data-br is missing/],
    ['a VLAN uplink down', { downInterfaces: ['eth2'] }, 'vlan', /interface eth2 is DOWN/],
  ])('names %s', async (_what, drift, check, detail) => {
    const { net } = await twinSide();
    net.setDrift('harv41', drift);
    const failed = (await runNetChecks(runnerOf(net, 'harv41'), expectations)).filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => [check].flat().includes(r.check))).toBe(true);
    expect(failed.map((r) => r.detail).join('\n')).toMatch(detail);
  });

  it('sees a changed IP through the Node object', async () => {
    const { api, net } = await twinSide();
    await api.patch(Kinds.Node, undefined, 'harv41', { status: { addresses: [{ type: 'InternalIP', address: '192.168.122.199' }] } }, { subresource: 'status' });
    const ip = (await runNetChecks(runnerOf(net, 'harv41'), expectations)).find((r) => r.check === 'ip')!;
    expect(ip).toMatchObject({ ok: false, detail: '192.168.122.141 is on no interface (found 192.168.122.199/24 on mgmt-br)' });
  });

  it('reads a baseline', async () => {
    const { net } = await twinSide();
    const b = await readBaseline(runnerOf(net, 'harv41'));
    expect(b.gateway).toBe('192.168.122.1');
    expect(b.addresses).toContain('192.168.122.141/24');
    expect(b.interfaces.map((i) => i.name)).toEqual(['lo', 'eth0', 'mgmt-bo', 'mgmt-br', 'data-bo', 'data-br', 'eth2']);
  });

  it('fails closed when a command is not there', async () => {
    const results = await runNetChecks({ run: async (cs) => cs.map((command) => ({ command, stdout: '', stderr: 'bash: ip: command not found', exitCode: 127 })) }, expectations);
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.find((r) => r.check === 'ip')!.detail).toBe('"ip -j addr show" failed: ip is not installed');
  });
});

class AlwaysOn implements TwinNodePower {
  nodes() {
    return ['harv41'];
  }
  state(): TwinPowerState {
    return 'on';
  }
  requestShutdown() {}
  powerOn() {}
  forceOff() {}
  onChange() {
    return () => undefined;
  }
}

describe('network checks over SSH (in-process SSH front)', () => {
  let fronts: PowerFronts;
  let dir: string;
  let net: TwinNodeNetwork;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fallow-netcheck-'));
    net = (await twinSide()).net;
    fronts = await startPowerFronts(new AlwaysOn(), [{ name: 'harv41' }], { dir, bmc: 'none', sshCommands: net.handler });
  });
  afterAll(async () => {
    await fronts?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the checks and reads the baseline through the SSH driver', async () => {
    const port = new SshNetCheck(await loadInventory(fronts.inventoryPath));
    expect(port.canCheck('harv41')).toBe(true);
    expect(port.canCheck('harv99')).toBe(false);
    const target = { name: 'harv41', ip: '192.168.122.141' };
    expect((await port.check(target, expectations)).filter((r) => !r.ok)).toEqual([]);
    net.setDrift('harv41', { gateway: '10.9.0.1' });
    const gw = (await port.check(target, expectations)).find((r) => r.check === 'gateway')!;
    expect(gw).toMatchObject({ ok: false, target: '10.9.0.1' });
    expect((await port.baseline(target)).gateway).toBe('10.9.0.1');
  });
});

// The 5,000-VM cluster of the benchmarks: it builds, serves and settles without the
// controllers rewriting what the scenario built (steady state is a fixed point).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { generateScenario } from '../../src/twin/scenario/generate.js';

describe('a 20-node, 5,000-VM, 1,000-volume twin', () => {
  let twin: Twin;
  beforeAll(async () => {
    twin = await startTwin({ scenario: generateScenario({ nodes: 20, vms: 5000, volumes: 1000, seed: 7 }), scale: 200 });
  }, 120_000);
  afterAll(async () => twin?.stop());

  it('builds every object', () => {
    const count = (apiVersion: string, kind: string) => twin.store.scan(twin.store.typeOfKind(apiVersion, kind)).length;
    expect(count('kubevirt.io/v1', 'VirtualMachine')).toBe(5000);
    expect(count('longhorn.io/v1beta2', 'Volume')).toBe(1000 + 3); // + rancher-monitoring's PVCs
    const running = twin.scenario.vms.filter((v) => v.runStrategy !== 'Halted').length;
    expect(count('kubevirt.io/v1', 'VirtualMachineInstance')).toBe(running);
    expect(twin.store.scan(twin.store.typeOfKind('v1', 'Pod')).filter((p) => p.metadata.labels?.['kubevirt.io'] === 'virt-launcher')).toHaveLength(running);
  });

  it('settles without rewriting VMs, VMIs, pods or volumes', async () => {
    const kinds = ['VirtualMachine', 'VirtualMachineInstance', 'Pod', 'Volume'];
    const before = new Map<string, string>();
    for (const k of kinds) {
      const t = twin.store.allTypes().find((x) => x.kind === k && (k !== 'Volume' || x.group === 'longhorn.io'))!;
      for (const o of twin.store.scan(t)) before.set(`${k}/${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion!);
    }
    await twin.settle(60_000);
    let changed = 0;
    for (const k of kinds) {
      const t = twin.store.allTypes().find((x) => x.kind === k && (k !== 'Volume' || x.group === 'longhorn.io'))!;
      for (const o of twin.store.scan(t)) if (before.get(`${k}/${o.metadata.namespace}/${o.metadata.name}`) !== o.metadata.resourceVersion) changed++;
    }
    expect(changed).toBe(0);
    expect(twin.events.all()).toEqual([]);
  }, 120_000);
});

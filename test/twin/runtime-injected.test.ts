// startTwin over an injected TwinApi (how the fidelity bed runs the twin against a real
// kube-apiserver), here a LocalTwinApi whose watches answer on a later macrotask, as
// HTTP lists do: the build goes through it, the twin starts no server of its own, and no
// controller reconciles before every cache is filled (the VMIs the scenario starts
// Running must not fail as "domain gone" because the guests were not registered yet).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kinds } from '../../src/common/harvester.js';
import { LocalTwinApi, type KindRef } from '../../src/twin/api.js';
import type { Reachability } from '../../src/twin/controllers/apireach.js';
import { allTwinTypes } from '../../src/twin/resources.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import type { ListOptions } from '../../src/twin/store/store.js';
import { Store } from '../../src/twin/store/store.js';
import type { KObject, WatchEvent } from '../../src/twin/store/types.js';

/** Lists and watches that, like HTTP, let other work run before they answer. */
class SlowWatchApi extends LocalTwinApi {
  override async watch<T extends KObject>(ref: KindRef, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): Promise<() => void> {
    await new Promise((r) => setTimeout(r, 5));
    return super.watch(ref, opts, onEvent);
  }
}

describe('startTwin over an injected API', () => {
  let twin: Twin;
  const store = new Store({ now: () => Date.now(), uid: () => crypto.randomUUID() });
  for (const t of allTwinTypes) store.register(t);
  const api = new SlowWatchApi(store);
  const reach: Reachability[] = [];
  beforeAll(async () => {
    twin = await startTwin({
      scenarioPath: 'default',
      scale: 200,
      api,
      realControllerManager: true,
      kubeletPort: 31250,
      onReachability: async (s) => {
        reach.push(s);
      },
    });
    await twin.settle();
  });
  afterAll(async () => twin?.stop());

  it('builds the scenario through the API and serves nothing itself', async () => {
    expect(twin.server).toBeUndefined();
    expect(twin.url).toBe('');
    const nodes = await api.list(Kinds.Node);
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['harv2', 'harv41', 'harv42', 'harv43']);
    expect(nodes.map((n) => (n.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } }).daemonEndpoints?.kubeletEndpoint?.Port)).toEqual([31250, 31250, 31250, 31250]);
    expect(twin.clusterUid).toBe((await api.get(Kinds.Namespace, undefined, 'kube-system'))?.metadata.uid);
  });

  it('starts no controller before every cache is filled: the Running VMIs stay running', () => {
    const churn = twin.events.all().filter((e) => e.type === 'vmi.failed' || e.type === 'vmi.deleted' || e.type === 'rancher.vm-restarted');
    expect(churn).toEqual([]);
  });

  it('leaves Deployments to the real controller manager but still records their scaling', async () => {
    expect(twin.controllers.all.map((c) => c.name)).not.toContain('deployments');
    await api.patch(Kinds.Deployment, 'cattle-system', 'rancher', { spec: { replicas: 1 } });
    await twin.settle();
    expect(twin.events.last({ type: 'deployment.scaled', object: 'cattle-system/rancher' })?.data).toEqual({ from: 3, to: 1 });
  });

  it('tells the reachability hook the current state', () => {
    expect(reach).toEqual(['up']);
  });
});

// The twin's graceful node shutdown (fault gracefulNodeShutdown) over a real control plane:
// kube-apiserver accepts the kubelet-style status write (phase Failed, reason Terminated,
// DisruptionTarget), and the real ReplicaSet controller replaces those pods as on a cluster,
// which is what leaves the Failed pods the restart's health gate must tell from failures.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PodObject } from '../../src/common/harvester-types.js';
import { startTwinOverBed, type TwinOverBed } from './twin-bed.js';

let world: TwinOverBed;
beforeAll(async () => {
  world = await startTwinOverBed({ scenarioPath: 'default' });
}, 300_000);
afterAll(async () => world?.stop());

const pod = { apiVersion: 'v1', kind: 'Pod' };
const controller = (p: PodObject) => p.metadata.ownerReferences?.find((o) => o.controller);
const finished = (p: PodObject) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

it('an OS shutdown leaves the node’s Deployment pods Failed (Terminated), each replaced by kube-controller-manager', { timeout: 300_000 }, async () => {
  const { twin } = world;
  const node = 'harv2';
  const onNode = async () => (await twin.api.list<PodObject>(pod)).filter((p) => p.spec?.nodeName === node);
  const rsPods = (await onNode()).filter((p) => controller(p)?.kind === 'ReplicaSet' && !finished(p));
  expect(rsPods.length).toBeGreaterThan(0);
  twin.faults.set({ gracefulNodeShutdown: [node] });
  const since = twin.clock.now();
  twin.power.requestShutdown(node);
  const deadline = Date.now() + 120_000;
  let missing: string[] = rsPods.map((p) => p.metadata.name);
  while (missing.length && Date.now() < deadline) {
    const all = await twin.api.list<PodObject>(pod);
    missing = rsPods
      .filter((p) => {
        const now = all.find((x) => x.metadata.uid === p.metadata.uid);
        const replaced = all.some((x) => x.metadata.uid !== p.metadata.uid && controller(x)?.uid === controller(p)?.uid && !finished(x));
        return !(now?.status?.phase === 'Failed' && (now.status as { reason?: string }).reason === 'Terminated' && replaced);
      })
      .map((p) => p.metadata.name);
    if (missing.length) await new Promise((r) => setTimeout(r, 250));
  }
  expect(missing, 'Deployment pods not Failed (Terminated) with a replacement').toEqual([]);
  expect(twin.events.find({ type: 'pod.shutdown-terminated', since }).length).toBeGreaterThanOrEqual(rsPods.length);
});

// The twin's Rancher Manager, read through fallow's own Rancher client over HTTPS: objects
// derived from the node-driver VMs, Harvester Active/Unavailable following the agent,
// downstream clusters NotReady while a VM is off, snapshots that finish or fail by fault,
// the front's token check and reachability.
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/journal/secrets.js';
import { loadRancherAccess } from '../../../src/rancher/access.js';
import { RancherManager } from '../../../src/rancher/manager.js';
import { devVms, HarvesterId, prodVms, rancherBed, type RancherBed } from './fixture.js';

// One Rancher Manager for the whole file (its PKIs are the slow part): each test leaves it
// as it found it, and the one that takes it down runs last.
let bed: RancherBed;
let rm: RancherManager;
beforeAll(async () => {
  bed = await rancherBed({ snapshotSeconds: [20, 20] });
  rm = await open(bed);
});
afterAll(async () => {
  rm?.close();
  await bed?.close();
});

async function open(b: RancherBed, o: { token?: string } = {}): Promise<RancherManager> {
  const env = o.token ? { T: o.token } : {};
  const access = await loadRancherAccess(o.token ? { url: b.rm.url, tokenEnv: 'T', caFile: b.rm.caFile } : { url: b.rm.url, tokenFile: b.rm.tokenFile, caFile: b.rm.caFile }, env, new SecretRegistry());
  return RancherManager.open(access, b.hv.clock, { requestTimeoutMs: 5_000 });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, wallMs = 10_000): Promise<T> {
  const end = Date.now() + wallMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('twin Rancher Manager', () => {
  it('serves the imported Harvester and the downstream clusters of its node-driver VMs', async () => {
    const h = await rm.harvesterCluster(HarvesterId);
    expect(h).toMatchObject({ id: HarvesterId, displayName: 'harvester', state: 'Active' });
    expect((await rm.harvesterCluster()).id).toBe(HarvesterId); // the only provider=harvester cluster
    const ds = await rm.downstreamClusters();
    expect(ds.map((d) => d.name)).toEqual(['rke2-dev', 'rke2-prod']);
    const prod = ds.find((d) => d.name === 'rke2-prod')!;
    expect(prod).toMatchObject({ namespace: 'fleet-default', ready: true, harvesterPools: ['pool1'] });
    expect(prod.id).toMatch(/^c-m-[a-z0-9]{8}$/);
    expect(prod.machines.map((m) => `${m.vm?.namespace}/${m.vm?.name}:${m.ready}`)).toEqual(prodVms.map((n) => `downstream/${n}:true`).sort());
  });

  it('shows the Harvester cluster Unavailable while cattle-cluster-agent has no ready replica', async () => {
    await bed.hv.setAgentReady(0);
    const h = await until('Unavailable', async () => {
      const v = await rm!.harvesterCluster(HarvesterId);
      return v.state === 'Unavailable' && v;
    });
    expect(h.message).toMatch(/agent is not connected/);
    await bed.hv.setAgentReady(1);
    await until('Active again', async () => (await rm!.harvesterCluster(HarvesterId)).state === 'Active');
  });

  it('takes a downstream cluster NotReady while one of its VMs is stopped, and Ready when it runs', async () => {
    await bed.hv.stopVm(devVms[0]!);
    const dev = await until('rke2-dev NotReady', async () => (await rm!.downstreamClusters()).find((d) => d.name === 'rke2-dev' && !d.ready));
    expect(dev.message).toMatch(/1 of 2 machines not ready/);
    expect(dev.machines.find((m) => m.name === devVms[0])).toMatchObject({ ready: false, reason: expect.stringMatching(/NotReady|Unknown/) });
    expect((await rm.downstreamClusters()).find((d) => d.name === 'rke2-prod')!.ready).toBe(true);
    await bed.hv.startVm(devVms[0]!);
    await until('rke2-dev Ready', async () => (await rm!.downstreamClusters()).find((d) => d.name === 'rke2-dev')?.ready);
  });

  it('keeps a cluster with the clusterStuck fault NotReady', async () => {
    bed.rm.setFaults({ clusterStuck: ['rke2-prod'] });
    const prod = await until('stuck', async () => (await rm!.downstreamClusters()).find((d) => d.name === 'rke2-prod' && !d.ready));
    expect(prod.machines.every((m) => m.ready)).toBe(true);
    bed.rm.setFaults({ clusterStuck: [] });
    await until('unstuck', async () => (await rm!.downstreamClusters()).find((d) => d.name === 'rke2-prod')?.ready);
  });

  it('takes an etcd snapshot when the generation is bumped, one file per etcd machine', async () => {
    const before = await rm.snapshotState('fleet-default', 'rke2-prod');
    expect(before).toMatchObject({ requestedGeneration: 0, finishedGeneration: 0, processingGeneration: 0, snapshots: [] });
    await rm.requestSnapshot('fleet-default', 'rke2-prod', 1);
    const after = await until('finished', async () => {
      const s = await rm!.snapshotState('fleet-default', 'rke2-prod');
      return s.phase === 'Finished' && s;
    });
    expect(after.finishedGeneration).toBe(1);
    expect(after.requestedGeneration).toBe(1);
    expect(after.snapshots).toHaveLength(3);
    expect(after.snapshots.every((s) => s.status === 'successful' && s.name.startsWith('rke2-prod-etcd-snapshot-'))).toBe(true);
    expect(new Set(after.snapshots.map((s) => s.nodeName))).toEqual(new Set(prodVms));
    // the other cluster is untouched
    expect((await rm.snapshotState('fleet-default', 'rke2-dev')).snapshots).toEqual([]);
  });

  it('fails a snapshot by fault, with the failure text decoded', async () => {
    bed.rm.setFaults({ snapshotFails: ['rke2-dev'] });
    await rm.requestSnapshot('fleet-default', 'rke2-dev', 1);
    const s = await until('failed', async () => {
      const v = await rm!.snapshotState('fleet-default', 'rke2-dev');
      return v.phase === 'Failed' && v;
    });
    expect(s.finishedGeneration).toBe(0);
    expect(s.snapshots[0]).toMatchObject({ status: 'failed', message: 'etcd snapshot save failed: context deadline exceeded' });
  });

  it('refuses a wrong token (401) with a message about Rancher Manager and the token, never quoting it', async () => {
    const wrong = 'token-zzzzz:wrongwrongwrongwrongwrongwrongwrongwrongwrong';
    const other = await open(bed, { token: wrong });
    const err = await other.harvesterCluster().catch((e: Error) => e);
    other.close();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Rancher Manager at https:\/\/127\.0\.0\.1:\d+ rejected the API token \(401\)/);
    expect((err as Error).message).not.toContain('wrongwrong');
  });

  it('writes the token only to its 0600 file', async () => {
    const token = readFileSync(bed.rm.tokenFile, 'utf8').trim();
    expect(token).toMatch(/^token-[a-z0-9]{5}:[a-z0-9]{52}$/);
    expect(JSON.stringify({ ...bed.rm, store: undefined })).not.toContain(token.split(':')[1]);
    expect(statSync(bed.rm.tokenFile).mode & 0o777).toBe(0o600);
  });

  it('says Rancher Manager cannot be reached when its front is down, naming the URL', async () => {
    await bed.rm.setReachable(false);
    const err = (await rm.downstreamClusters().catch((e: Error) => e)) as Error & { hint?: string; code?: string };
    // a kept-alive socket sees a reset, a new one a refusal: both are "cannot reach"
    expect(err.message).toMatch(new RegExp(`^cannot reach Rancher Manager at ${bed.rm.url}: connection (refused|reset) \\(list [a-z0-9.-]+ [a-z]+\\)$`));
    expect(err.hint).toMatch(/--rancher-url/);
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(err.code);
    await bed.rm.setReachable(true);
    expect((await rm.harvesterCluster(HarvesterId)).state).toBe('Active'); // back on the same port
  });
});

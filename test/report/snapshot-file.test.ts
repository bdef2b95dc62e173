import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { captureSnapshot } from '../../src/report/snapshot.js';
import { parseSnapshot } from '../../src/report/snapshot-file.js';
import { newStore, seedCluster, storeReader } from './fixture-cluster.js';

describe('parseSnapshot', () => {
  it('reads back what capture wrote', async () => {
    const store = newStore();
    const etcd = seedCluster(store);
    const snap = await captureSnapshot(storeReader(store, async () => etcd));
    expect(parseSnapshot(JSON.stringify(snap, null, 2))).toEqual(snap);
  });

  it.each([
    ['not JSON', '{', /before\.json is not JSON/],
    ['not an object', '3', /is not a snapshot object/],
    ['another schema', '{"schema":"fallow.harvesterhci.io/snapshot/v0"}', /has schema "fallow.harvesterhci.io\/snapshot\/v0", expected "fallow.harvesterhci.io\/snapshot\/v1"/],
    ['no schema', '{}', /has schema null/],
    ['incomplete', '{"schema":"fallow.harvesterhci.io/snapshot/v1","nodes":{},"takenAt":"x"}', /missing or malformed nodes, addons, vms, volumes, systemPods, unreadable, cluster, vip, settings, rancher, etcd/],
  ])('refuses %s with a usage error naming the file', (_n, text, message) => {
    expect(() => parseSnapshot(text, 'before.json')).toThrow(UsageError);
    expect(() => parseSnapshot(text, 'before.json')).toThrow(message);
  });
});

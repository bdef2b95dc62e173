// Informers against the twin API server: sync, live changes, a 410 relist, a dropped
// watch, and the API going away and coming back (fail closed in between).
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import type { KObject } from '../../src/common/harvester-types.js';
import type { InformerEvent } from '../../src/cluster/informer.js';
import { type Bed, harvesterStore, put, startBed } from './fixture.js';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
const cmType = (bed: Bed) => bed.store.typeOfKind('v1', 'ConfigMap');

/** Resolves when pred() holds, re-checking on every informer event. */
function until<T extends KObject>(inf: { onChange(l: (ev: InformerEvent<T>) => void): () => void }, pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const off = inf.onChange(() => {
      if (pred()) {
        off();
        resolve();
      }
    });
  });
}

describe('Informer', () => {
  let bed: Bed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it('lists, then follows creates, updates and deletes; get/list read the cache', async () => {
    bed = await startBed();
    put(bed.store, cm('a'));
    const { cluster } = await bed.connect();
    const inf = cluster.cache('ConfigMap', { namespace: 'default' });
    await inf.synced();
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a']);
    const seen: string[] = [];
    inf.onChange((ev) => {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') seen.push(`${ev.type} ${ev.object.metadata.name}`);
    });
    put(bed.store, cm('b'));
    const b = bed.store.get(cmType(bed), 'default', 'b');
    bed.store.update(cmType(bed), { ...b, data: { v: '2' } });
    bed.store.delete(cmType(bed), 'default', 'a');
    await until(inf, () => seen.length === 3);
    expect(seen).toEqual(['ADDED b', 'MODIFIED b', 'DELETED a']);
    expect((inf.get('default', 'b') as { data?: { v?: string } }).data?.v).toBe('2');
    expect(inf.get('default', 'a')).toBeUndefined();
    // Shared per kind+namespace+selector.
    expect(cluster.cache('ConfigMap', { namespace: 'default' })).toBe(inf);
  });

  it('relists on 410 Gone and reports what changed meanwhile', async () => {
    bed = await startBed({ store: harvesterStore({ historySize: 8 }), faults: {} });
    put(bed.store, cm('keep'));
    put(bed.store, cm('goes'));
    const { cluster } = await bed.connect({ clock: new ScaledClock(100) });
    const inf = cluster.cache('ConfigMap', { namespace: 'default' });
    await inf.synced();
    // Cut watches, change a lot while the informer is away, then let it back in.
    await bed.api.setReachability('refused');
    await until(inf, () => !inf.isSynced);
    bed.store.delete(cmType(bed), 'default', 'goes');
    for (let i = 0; i < 30; i++) put(bed.store, cm(`n${i}`));
    const deleted: string[] = [];
    inf.onChange((ev) => {
      if (ev.type === 'DELETED') deleted.push(ev.object.metadata.name);
    });
    await bed.api.setReachability('up');
    await until(inf, () => inf.isSynced && inf.size === 31);
    expect(deleted).toEqual(['goes']);
    expect(inf.get('default', 'n29')).toBeDefined();
    // The old resourceVersion was compacted: the informer had to list again.
    const lists = bed.recorder.records.filter((r) => r.verb === 'list' && r.path === '/api/v1/namespaces/default/configmaps');
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });

  it('fails closed while the API is gone: synced() rejects, then resolves after reconnect', async () => {
    bed = await startBed();
    const { cluster } = await bed.connect({ clock: new ScaledClock(100) });
    const inf = cluster.cache('Node');
    await inf.synced();
    expect(inf.size).toBe(3);
    await bed.api.setReachability('refused');
    await until(inf, () => !inf.isSynced);
    await expect(inf.synced()).rejects.toThrow(/cannot reach the Kubernetes API/);
    expect(inf.size).toBe(3); // last known state kept, but marked stale
    await bed.api.setReachability('up');
    await until(inf, () => inf.isSynced);
    await expect(inf.synced()).resolves.toBeUndefined();
  });

  it('re-opens a dropped watch without a relist and misses nothing', async () => {
    bed = await startBed({ faults: { dropWatchesAfterMs: 150 } });
    const { cluster } = await bed.connect({ clock: new ScaledClock(100) });
    const inf = cluster.cache('ConfigMap', { namespace: 'default' });
    await inf.synced();
    for (let i = 0; i < 5; i++) {
      put(bed.store, cm(`w${i}`));
      await new Promise((r) => setTimeout(r, 120));
    }
    await until(inf, () => inf.size === 5);
    const watches = bed.recorder.records.filter((r) => r.verb === 'watch' && r.path === '/api/v1/namespaces/default/configmaps');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    const lists = bed.recorder.records.filter((r) => r.verb === 'list' && r.path === '/api/v1/namespaces/default/configmaps');
    expect(lists).toHaveLength(1);
  });
});

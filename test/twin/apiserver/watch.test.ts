// Watch through client-node's Watch and raw HTTPS: initial ADDED events, live changes,
// resume from a resourceVersion, 410 Expired as an ERROR event, bookmarks,
// sendInitialEvents, timeoutSeconds, Table events, and the dropped-watch fault.
import { request } from 'node:https';
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinApiServer } from '../../../src/twin/apiserver/index.js';
import { put, seededStore, startTwin, tableAccept, type Twin } from './fixture.js';

interface Seen {
  type: string;
  obj: { kind?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number; reason?: string };
}

/** Starts a client-node watch; resolves `done` with its error (or null) when it ends. */
async function watch(twin: Twin, path: string, query: Record<string, string | number | boolean>) {
  const seen: Seen[] = [];
  let finish!: (e: unknown) => void;
  const done = new Promise<unknown>((r) => (finish = r));
  const ctl = await new Watch(twin.kc).watch(path, query, (type, obj) => seen.push({ type, obj: obj as Seen['obj'] }), (err) => finish(err ?? null));
  return { seen, done, stop: () => ctl.abort() };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Raw watch stream: every JSON line received so far. */
function rawWatch(api: TwinApiServer, path: string, accept = 'application/json') {
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  const req = request(new URL(path, api.url), { ca: api.caPem, headers: { Authorization: `Bearer ${api.adminToken}`, Accept: accept } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { lines, stop: () => req.destroy() };
}

const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels } });

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin({ bookmarkIntervalMs: 40 }, seededStore({ historySize: 50 }));
});
afterAll(() => twin.close());

describe('watch', () => {
  it('sends current objects as ADDED, then changes, filtered by labels', async () => {
    put(twin.store, cm('w-old', { w: '1' }));
    const w = await watch(twin, '/api/v1/namespaces/default/configmaps', { labelSelector: 'w=1' });
    await until(() => w.seen.length === 1, 'initial ADDED');
    expect(w.seen[0]).toMatchObject({ type: 'ADDED', obj: { metadata: { name: 'w-old' } } });
    const t = twin.store.typeFor('', 'v1', 'configmaps')!;
    put(twin.store, cm('w-new', { w: '1' }));
    put(twin.store, cm('w-other', { w: '2' }));
    const cur = twin.store.get(t, 'default', 'w-new');
    twin.store.update(t, { ...cur, data: { a: 'b' } });
    twin.store.delete(t, 'default', 'w-old');
    await until(() => w.seen.length === 4, 'three more events');
    expect(w.seen.slice(1).map((s) => `${s.type} ${s.obj.metadata?.name}`)).toEqual(['ADDED w-new', 'MODIFIED w-new', 'DELETED w-old']);
    w.stop();
  });

  it('resumes after a resourceVersion without repeating older events', async () => {
    const t = twin.store.typeFor('', 'v1', 'configmaps')!;
    const a = put(twin.store, cm('r-a'));
    put(twin.store, cm('r-b'));
    twin.store.delete(t, 'default', 'r-a');
    const w = await watch(twin, '/api/v1/namespaces/default/configmaps', { resourceVersion: a.metadata.resourceVersion! });
    await until(() => w.seen.length === 2, 'replayed events');
    expect(w.seen.map((s) => `${s.type} ${s.obj.metadata?.name}`)).toEqual(['ADDED r-b', 'DELETED r-a']);
    w.stop();
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired, then ends', async () => {
    const first = put(twin.store, cm('old-0'));
    for (let i = 1; i < 80; i++) put(twin.store, cm(`old-${i}`)); // more than the history holds
    const w = await watch(twin, '/api/v1/namespaces/default/configmaps', { resourceVersion: first.metadata.resourceVersion! });
    await w.done;
    expect(w.seen).toHaveLength(1);
    expect(w.seen[0]!.type).toBe('ERROR');
    expect(w.seen[0]!.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('sends BOOKMARKs carrying the current resourceVersion when allowed', async () => {
    const w = await watch(twin, '/api/v1/nodes', { allowWatchBookmarks: true, resourceVersion: twin.store.resourceVersion });
    await until(() => w.seen.some((s) => s.type === 'BOOKMARK'), 'a bookmark');
    const b = w.seen.find((s) => s.type === 'BOOKMARK')!;
    expect(b.obj).toMatchObject({ kind: 'Node', metadata: { resourceVersion: twin.store.resourceVersion } });
    w.stop();
    const none = await watch(twin, '/api/v1/nodes', { resourceVersion: twin.store.resourceVersion, timeoutSeconds: 1 });
    await none.done;
    expect(none.seen.filter((s) => s.type === 'BOOKMARK')).toHaveLength(0);
  });

  it('ends the initial events of sendInitialEvents with an annotated BOOKMARK', async () => {
    const w = await watch(twin, '/api/v1/nodes', { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
    await until(() => w.seen.length >= 4, 'initial events and bookmark');
    expect(w.seen.slice(0, 3).every((s) => s.type === 'ADDED')).toBe(true);
    expect(w.seen[3]).toMatchObject({ type: 'BOOKMARK', obj: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    w.stop();
  });

  it('ends cleanly after timeoutSeconds', async () => {
    const w = await watch(twin, '/api/v1/namespaces/default/configmaps', { timeoutSeconds: 1, resourceVersion: twin.store.resourceVersion });
    expect(await w.done).toBeNull();
  });

  it('streams Table events for kubectl get -w, with columns only in the first', async () => {
    const s = rawWatch(twin.api, '/api/v1/nodes?watch=true', tableAccept);
    await until(() => s.lines.length === 3, 'three table events');
    const tables = s.lines.map((l) => l.object as { kind: string; columnDefinitions: unknown[]; rows: { cells: unknown[] }[] });
    expect(tables.every((t) => t.kind === 'Table' && t.rows.length === 1)).toBe(true);
    expect(tables[0]!.columnDefinitions.length).toBeGreaterThan(0);
    expect(tables[1]!.columnDefinitions).toEqual([]);
    s.stop();
  });

  it('serves the legacy /watch/ path for one object', async () => {
    const s = rawWatch(twin.api, '/api/v1/watch/namespaces/kube-system/pods/etcd-harv1');
    await until(() => s.lines.length === 1, 'the object');
    expect(s.lines[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'etcd-harv1' } } });
    s.stop();
  });

  it('cuts watches after faults.dropWatchesAfterMs', async () => {
    twin.api.faults.dropWatchesAfterMs = 50;
    try {
      const w = await watch(twin, '/api/v1/namespaces/default/configmaps', { resourceVersion: twin.store.resourceVersion });
      await w.done; // would otherwise stay open for the default 30 minutes
      expect(w.seen).toHaveLength(0);
    } finally {
      delete twin.api.faults.dropWatchesAfterMs;
    }
  });
});

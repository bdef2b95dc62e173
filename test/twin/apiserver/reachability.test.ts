// Reachability states and injected faults: refused (ECONNREFUSED, watches cut, same port
// when back), unavailable (etcd without quorum: resource requests fail, health fails,
// discovery still answers), random 429/503/500 with Retry-After, added latency.
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectedFault } from '../../../src/twin/apiserver/faults.js';
import { raw, startTwin, type Twin } from './fixture.js';

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin();
});
afterAll(() => twin.close());

describe('reachability', () => {
  it('refused: connections are refused until up again, on the same port', async () => {
    const url = twin.api.url;
    await twin.api.setReachability('refused');
    expect(twin.api.reachability).toBe('refused');
    const err = await raw(twin.api, 'GET', '/api/v1/nodes').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(err).toBe('ECONNREFUSED');
    await twin.api.setReachability('up');
    expect(twin.api.url).toBe(url);
    expect((await raw(twin.api, 'GET', '/api/v1/nodes')).status).toBe(200);
  });

  it('refused: open watches are cut', async () => {
    const core = twin.kc.makeApiClient(CoreV1Api);
    await core.listNode();
    const { Watch } = await import('@kubernetes/client-node');
    let ended: unknown = 'open';
    await new Watch(twin.kc).watch('/api/v1/nodes', { resourceVersion: twin.store.resourceVersion }, () => {}, (e) => (ended = e ?? null));
    await new Promise((r) => setTimeout(r, 50));
    await twin.api.setReachability('refused');
    for (let i = 0; i < 200 && ended === 'open'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ended).not.toBe('open');
    await twin.api.setReachability('up');
  });

  it('unavailable: resource requests fail like an apiserver without etcd quorum', async () => {
    await twin.api.setReachability('unavailable');
    try {
      const res = await raw(twin.api, 'GET', '/api/v1/nodes');
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', code: 500 });
      const ready = await raw(twin.api, 'GET', '/readyz');
      expect(ready.status).toBe(500);
      expect(ready.text).toContain('[-]etcd failed');
      expect((await raw(twin.api, 'GET', '/api/v1')).status).toBe(200); // discovery is served from memory
    } finally {
      await twin.api.setReachability('up');
    }
    expect((await raw(twin.api, 'GET', '/readyz')).text).toBe('ok');
  });
});

describe('faults', () => {
  it('errorRate 1 answers every resource request with 429, 503 or 500, with Retry-After on the first two', async () => {
    twin.api.faults.errorRate = 1;
    try {
      const codes = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const res = await raw(twin.api, 'GET', '/api/v1/pods');
        codes.add(res.status);
        if (res.status !== 500) expect(res.headers['retry-after']).toBe('1');
        expect(res.json().kind).toBe('Status');
      }
      expect([...codes].sort()).toEqual([429, 500, 503]);
      expect((await raw(twin.api, 'GET', '/version')).status).toBe(200);
    } finally {
      twin.api.faults.errorRate = 0;
    }
  });

  it('picks no fault at errorRate 0 and the right shapes when drawn', () => {
    expect(injectedFault({ errorRate: 0 })).toBeUndefined();
    const seq = (vals: number[]) => () => vals.shift()!;
    expect(injectedFault({ errorRate: 0.5 }, seq([0.1, 0.0]))?.code).toBe(429);
    expect(injectedFault({ errorRate: 0.5 }, seq([0.1, 0.5]))?.code).toBe(503);
    expect(injectedFault({ errorRate: 0.5 }, seq([0.1, 0.9]))?.code).toBe(500);
    expect(injectedFault({ errorRate: 0.5 }, seq([0.7]))).toBeUndefined();
  });

  it('latencyMs delays answers', async () => {
    twin.api.faults.latencyMs = 150;
    try {
      const t0 = Date.now();
      await raw(twin.api, 'GET', '/api/v1/nodes');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140); // a lower bound only: it must have waited
    } finally {
      twin.api.faults.latencyMs = 0;
    }
  });
});

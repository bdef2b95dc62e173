// Pure parts of the cluster layer: token bucket, path parsing, verbs, error mapping,
// request-timeout parsing, etcd status parsing and access-rule expansion.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FatalError, TransientError, UnreachableError, UsageError } from '../../src/common/errors.js';
import { describeAccess, expandRules } from '../../src/cluster/access.js';
import { parseRequestTimeout } from '../../src/cluster/connect.js';
import { apiErrorInfo, isAlreadyExists, isConflict, mapNetworkError, mapStatusError } from '../../src/cluster/errors.js';
import { decimalToHex, etcdctlCommand, parseEndpointStatus } from '../../src/cluster/etcd.js';
import { kindInfo, resourcePath } from '../../src/cluster/kinds.js';
import { parseApiPath } from '../../src/cluster/paths.js';
import { TokenBucket } from '../../src/cluster/ratelimit.js';
import { verbOf } from '../../src/cluster/recorder.js';

describe('TokenBucket', () => {
  it('allows the burst, then refills at qps', () => {
    let now = 0;
    const b = new TokenBucket({ qps: 10, burst: 3 }, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    now += 100; // 1 token at 10 qps
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    now += 10_000; // refill caps at burst
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
  });

  it('take() waits for a token in FIFO order', async () => {
    const b = new TokenBucket({ qps: 200, burst: 1 });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => b.take().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('qps 0 means unlimited', () => {
    const b = new TokenBucket({ qps: 0, burst: 1 }, () => 0);
    for (let i = 0; i < 100; i++) expect(b.tryTake()).toBe(true);
  });

  it('a cancelled waiter does not block the next', async () => {
    const b = new TokenBucket({ qps: 1, burst: 1 });
    await b.take();
    const ac = new AbortController();
    const first = b.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(first).rejects.toThrow('stop');
  });
});

describe('paths and verbs', () => {
  it.each([
    ['/api/v1/nodes', { group: '', version: 'v1', resource: 'nodes' }],
    ['/api/v1/namespaces/kube-system/pods/etcd-harv41/exec', { group: '', version: 'v1', namespace: 'kube-system', resource: 'pods', name: 'etcd-harv41', subresource: 'exec' }],
    ['/apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale', { group: 'apps', version: 'v1', namespace: 'cattle-system', resource: 'deployments', name: 'rancher', subresource: 'scale' }],
    ['/api/v1/namespaces/kube-system', { group: '', version: 'v1', resource: 'namespaces', name: 'kube-system' }],
    ['/version', undefined],
  ])('parseApiPath(%s)', (p, want) => {
    expect(parseApiPath(p)).toEqual(want);
  });

  it.each([
    ['GET', '/api/v1/nodes', '', 'list'],
    ['GET', '/api/v1/nodes/harv41', '', 'get'],
    ['GET', '/api/v1/namespaces/x/pods', 'watch=true', 'watch'],
    ['GET', '/api/v1/namespaces/x/pods/p', '', 'get'],
    ['GET', '/apis/kubevirt.io/v1/virtualmachines', '', 'list'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '', 'create'],
    ['PATCH', '/apis/apps/v1/namespaces/x/deployments/d/scale', '', 'patch'],
    ['DELETE', '/api/v1/namespaces/x/pods/p', '', 'delete'],
  ])('%s %s?%s is %s', (m, p, q, verb) => {
    expect(verbOf(m, p, new URLSearchParams(q))).toBe(verb);
  });

  it('builds resource paths for namespaced and cluster kinds', () => {
    expect(resourcePath(kindInfo('Node'), 'ignored', 'harv41')).toBe('/api/v1/nodes/harv41');
    expect(resourcePath(kindInfo('LonghornVolume'), 'longhorn-system')).toBe('/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes');
    expect(resourcePath(kindInfo('VirtualMachine'))).toBe('/apis/kubevirt.io/v1/virtualmachines');
    expect(resourcePath(kindInfo('Deployment'), 'cattle-system', 'rancher', 'scale')).toBe('/apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale');
  });
});

describe('error mapping', () => {
  const req = (method: string, path: string, verb: 'get' | 'list' | 'patch' | 'create' | 'update') => ({ server: 'https://127.0.0.1:6443', method, path, verb });

  it('403 names verb, resource and namespace, and points at fallow rbac', () => {
    const e = mapStatusError(req('GET', '/api/v1/namespaces/kube-system/pods', 'list'), 403, {
      reason: 'Forbidden',
      message: 'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    });
    expect(e).toBeInstanceOf(FatalError);
    expect(e.message).toBe('forbidden: user "viewer" may not list pods in namespace "kube-system"');
    expect(e.hint).toMatch(/fallow rbac/);
    expect(apiErrorInfo(e)?.statusCode).toBe(403);
  });

  it('404 on a kind says "not a Harvester cluster?"', () => {
    const e = mapStatusError(req('GET', '/apis/harvesterhci.io/v1beta1/addons', 'list'), 404, { reason: 'NotFound', message: 'the server could not find the requested resource' });
    expect(e.message).toMatch(/does not serve addons\.harvesterhci\.io .*not a Harvester cluster\?/);
  });

  it.each([429, 500, 502, 503, 504])('%i is transient', (code) => {
    const e = mapStatusError(req('GET', '/api/v1/nodes', 'list'), code, { reason: 'ServiceUnavailable' }, '3');
    expect(e).toBeInstanceOf(TransientError);
    expect(apiErrorInfo(e)).toMatchObject({ statusCode: code, transient: true, retryAfterSeconds: 3 });
  });

  it('409 AlreadyExists vs Conflict', () => {
    const exists = mapStatusError(req('POST', '/api/v1/namespaces/x/configmaps', 'create'), 409, { reason: 'AlreadyExists' });
    const conflict = mapStatusError(req('PUT', '/api/v1/namespaces/x/configmaps/c', 'update'), 409, { reason: 'Conflict' });
    expect(isAlreadyExists(exists) && !isConflict(exists)).toBe(true);
    expect(isConflict(conflict) && conflict instanceof TransientError).toBe(true);
  });

  it('401 is a usage error about credentials', () => {
    expect(mapStatusError(req('GET', '/api/v1/nodes', 'list'), 401, undefined)).toBeInstanceOf(UsageError);
  });

  it('network errors name the server and are transient; TLS errors are usage errors', () => {
    const refused = mapNetworkError(req('GET', '/version', 'get'), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(refused).toBeInstanceOf(UnreachableError);
    expect(refused.message).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:6443: connection refused/);
    expect(apiErrorInfo(refused)).toMatchObject({ code: 'ECONNREFUSED', transient: true });
    const tls = mapNetworkError(req('GET', '/version', 'get'), Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    expect(tls).toBeInstanceOf(UsageError);
    expect(tls.message).toMatch(/TLS verification of the API server at https:\/\/127\.0\.0\.1:6443 failed/);
  });
});

describe('parseRequestTimeout', () => {
  it.each([
    ['0', 0],
    ['30', 30_000],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
  ])('%s → %i ms', (v, ms) => expect(parseRequestTimeout(v)).toBe(ms));

  it.each(['', 'abc', '5x', '1m x', '-1s'])('rejects %j', (v) => expect(() => parseRequestTimeout(v)).toThrow(UsageError));
});

describe('etcd', () => {
  // Real etcd 3.5 shape: member ids and leader are uint64 JSON numbers beyond 2^53.
  const out = `[{"Endpoint":"https://192.168.122.141:2379","Status":{"header":{"cluster_id":11893086224934441113,"member_id":14341573064102406601,"revision":12345,"raft_term":45},"version":"3.5.9","dbSize":34000000,"leader":14341573064102406601,"raftIndex":6538756,"raftTerm":45,"raftAppliedIndex":6538756,"dbSizeInUse":20000000}},{"Endpoint":"https://192.168.122.142:2379","Status":{"header":{"cluster_id":11893086224934441113,"member_id":15781749281899893586,"revision":12345,"raft_term":45},"version":"3.5.9","dbSize":34000000,"leader":14341573064102406601,"raftIndex":6538756,"raftTerm":45,"raftAppliedIndex":6538756,"dbSizeInUse":20000000}}]`;

  it('parses endpoint status with exact hex member ids and the leader', () => {
    const m = parseEndpointStatus(out);
    expect(m).toEqual([
      { endpoint: 'https://192.168.122.141:2379', memberId: 'c70780b7862269c9', isLeader: true, raftTerm: 45, raftIndex: 6538756, version: '3.5.9', dbSize: 34000000 },
      { endpoint: 'https://192.168.122.142:2379', memberId: 'db04095b49eb5352', isLeader: false, raftTerm: 45, raftIndex: 6538756, version: '3.5.9', dbSize: 34000000 },
    ]);
  });

  it('decimalToHex is exact for every uint64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        expect(decimalToHex(n.toString())).toBe(n.toString(16));
      }),
    );
  });

  it('runs etcdctl the way the seed does', () => {
    expect(etcdctlCommand(['endpoint', 'status']).slice(0, 5)).toEqual(['env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status']);
    expect(etcdctlCommand([])).toContain('/var/lib/rancher/rke2/server/tls/etcd/server-client.key');
  });
});

describe('access rules', () => {
  it('expands one check per verb, deduplicated and sorted', () => {
    const checks = expandRules([
      { group: '', resource: 'pods/exec', verbs: ['create'], namespace: 'kube-system' },
      { group: 'apps', resource: 'deployments/scale', verbs: ['patch', 'get'], namespace: 'cattle-system' },
      { group: '', resource: 'pods/exec', verbs: ['create'], namespace: 'kube-system' },
    ]);
    expect(checks.map(describeAccess)).toEqual([
      'create pods/exec in kube-system',
      'get deployments.apps/scale in cattle-system',
      'patch deployments.apps/scale in cattle-system',
    ]);
  });
});

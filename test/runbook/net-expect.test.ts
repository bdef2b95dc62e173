// What the network re-check expects of a node, from the recorded settings and baselines:
// names, proxies (credentials stripped), registry endpoints and whether the proxy is used
// for them (noProxy), interfaces of the recorded cluster networks that the node had.
import { describe, expect, it } from 'vitest';
import type { NetworkFacts, NodeFact } from '../../src/runbook/facts.js';
import { bypassesProxy, clusterNetworkInterfaces, describeExpectations, netExpectations, ntpServers, proxySettings, registryEndpoints, withoutCredentials } from '../../src/runbook/lib/net-expect.js';

const node: NodeFact = { name: 'harv41', ip: '192.168.122.141', roles: ['control-plane'], etcd: true, witness: false, controlPlane: true };
const settings = {
  'ntp-servers': '{"ntpServers":["0.suse.pool.ntp.org","10.0.0.123"]}',
  'http-proxy': '{"httpProxy":"http://user:pa55@proxy.example.com:3128","httpsProxy":"http://proxy.example.com:3128","noProxy":"localhost,127.0.0.1,10.0.0.0/8,.svc,internal.example.com"}',
  'containerd-registry': '{"Mirrors":{"docker.io":{"Endpoints":["https://mirror.internal.example.com:5000"],"Rewrites":null}},"Configs":{"registry.example.com":{"Auth":{"Username":"u","Password":"hunter22"},"TLS":{"InsecureSkipVerify":false}}}}',
  'cluster-registration-url': 'https://rancher.example.com/v3/import/x_c-m-1.yaml',
};
const net: NetworkFacts = {
  nodes: [node],
  vip: {},
  settings,
  clusterNetworks: ['data', 'mgmt'],
  vlanConfigs: [{ name: 'data-all', clusterNetwork: 'data', nics: ['eth2', 'eth3'] }],
  vmNetworks: [],
  warnings: [],
};

describe('settings', () => {
  it('reads NTP servers as a list or a comma string', () => {
    expect(ntpServers(settings)).toEqual(['0.suse.pool.ntp.org', '10.0.0.123']);
    expect(ntpServers({ 'ntp-servers': '{"ntpServers":"a.example.com,b.example.com"}' })).toEqual(['a.example.com', 'b.example.com']);
    expect(ntpServers({})).toEqual([]);
  });
  it('strips proxy credentials', () => {
    expect(proxySettings(settings)).toMatchObject({ httpProxy: 'http://proxy.example.com:3128', httpsProxy: 'http://proxy.example.com:3128' });
    expect(withoutCredentials('http://a:b@p:1')).toBe('http://p:1');
  });
  it('reads registry endpoints, never their credentials', () => {
    expect(registryEndpoints(settings)).toEqual(['https://mirror.internal.example.com:5000', 'https://registry.example.com']);
    expect(registryEndpoints({ 'containerd-registry': '{"Mirrors":null,"Configs":null,"Auths":null}' })).toEqual([]);
    expect(registryEndpoints({ 'containerd-registry': 'not json' })).toEqual([]);
  });
  it.each([
    ['mirror.internal.example.com', true],
    ['registry.example.com', false],
    ['10.1.2.3', true],
    ['192.168.0.1', false],
    ['foo.svc', true],
  ])('noProxy covers %s: %s', (host, bypass) => {
    expect(bypassesProxy(host, proxySettings(settings).noProxy)).toBe(bypass);
  });
});

describe('netExpectations', () => {
  it('builds the checks of a node with a baseline', () => {
    const e = netExpectations(node, net, { nodes: { harv41: { gateway: '192.168.122.1', addresses: [], interfaces: [{ name: 'mgmt-br', state: 'UP' }, { name: 'data-br', state: 'UP' }, { name: 'eth2', state: 'UP' }] } }, unread: {} }, { rancherUrl: 'https://rancher2.example.com' });
    expect(e).toEqual({
      ip: '192.168.122.141',
      gateway: '192.168.122.1',
      names: ['0.suse.pool.ntp.org', 'proxy.example.com', 'mirror.internal.example.com', 'registry.example.com', 'rancher.example.com', 'rancher2.example.com'],
      ntpMaxOffsetMs: 1000,
      proxies: ['http://proxy.example.com:3128'],
      registries: [{ url: 'https://mirror.internal.example.com:5000' }, { url: 'https://registry.example.com', proxy: 'http://proxy.example.com:3128' }],
      interfaces: ['mgmt-br', 'data-br', 'eth2'],
    });
    expect(JSON.stringify(e)).not.toMatch(/hunter22|pa55/);
    expect(describeExpectations('harv41', e)).toMatch(/^harv41: IP 192\.168\.122\.141 on an interface; default gateway 192\.168\.122\.1 answers ping; DNS resolves /);
  });
  it('expects every cluster network interface without a baseline', () => {
    expect(clusterNetworkInterfaces(net)).toEqual(['mgmt-br', 'data-br', 'data-bo', 'eth2', 'eth3']);
    const e = netExpectations(node, net, undefined, { ntpMaxOffsetMs: 250 });
    expect(e.gateway).toBeUndefined();
    expect(e.interfaces).toEqual(['mgmt-br', 'data-br', 'data-bo', 'eth2', 'eth3']);
    expect(describeExpectations('harv41', e)).toContain('NTP synchronised, offset under 250 ms');
  });
  it('without a baseline, expects a VlanConfig\'s interfaces only on the nodes it reached', () => {
    const applied = { 'data-all': ['harv42'] };
    expect(clusterNetworkInterfaces(net, 'harv41', applied)).toEqual(['mgmt-br']);
    expect(clusterNetworkInterfaces(net, 'harv42', applied)).toEqual(['mgmt-br', 'data-br', 'data-bo', 'eth2', 'eth3']);
    expect(netExpectations(node, net, { nodes: {}, unread: { harv41: 'no SSH' }, vlanConfigNodes: applied }, {}).interfaces).toEqual(['mgmt-br']);
  });
});

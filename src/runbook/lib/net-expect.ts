// What the network re-check expects of a node (seed 1.2), from what the shutdown recorded:
// its InternalIP; the gateway the node itself had (the SSH baseline); the names in the
// ntp-servers, http-proxy, containerd-registry and cluster-registration-url settings and
// Rancher Manager's host; the proxies; the registry endpoints (through the proxy unless
// noProxy covers them); and the cluster networks' interfaces that the node had. Only hosts
// and URLs are taken from the settings, credentials stripped — registry auth is never read.
import { isIP } from 'node:net';
import type { NetExpectations } from '../netcheck-port.js';
import type { NetworkFacts, NodeFact, NodeNetworkFacts } from '../facts.js';

export const DefaultNtpMaxOffsetMs = 1000;

function parseJson(v: string | undefined): unknown {
  if (!v) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Case-insensitive field (Harvester writes "Mirrors"/"Endpoints", containerd "mirrors"/"endpoint"). */
function field(o: unknown, ...names: string[]): unknown {
  if (typeof o !== 'object' || o === null) return undefined;
  const want = names.map((n) => n.toLowerCase());
  return Object.entries(o).find(([k]) => want.includes(k.toLowerCase()))?.[1];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? v.split(/[,\s]+/).filter(Boolean) : []);

function hostOf(urlOrHost: string): string | undefined {
  try {
    return new URL(urlOrHost.includes('://') ? urlOrHost : `https://${urlOrHost}`).hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string[];
}

/** A proxy URL may carry user:password; reachability needs neither, and no record may hold them. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export function proxySettings(settings: Record<string, string>): ProxySettings {
  const p = parseJson(settings['http-proxy']);
  const http = field(p, 'httpProxy');
  const https = field(p, 'httpsProxy');
  return {
    ...(typeof http === 'string' && http ? { httpProxy: withoutCredentials(http) } : {}),
    ...(typeof https === 'string' && https ? { httpsProxy: withoutCredentials(https) } : {}),
    noProxy: strings(field(p, 'noProxy')),
  };
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(base ?? '') !== 4 || bits === undefined) return false;
  const n = (a: string) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (n(ip) & mask) === (n(base!) & mask);
}

/** noProxy as Go's httpproxy reads it: exact hosts, domain suffixes, CIDRs, "*". */
export function bypassesProxy(host: string, noProxy: string[]): boolean {
  return noProxy.some((e) => {
    const entry = e.trim().toLowerCase().replace(/:\d+$/, '');
    if (entry === '*') return true;
    if (entry.includes('/')) return ipv4InCidr(host, entry);
    if (entry.startsWith('.')) return host.endsWith(entry) || host === entry.slice(1);
    return host === entry || host.endsWith(`.${entry}`);
  });
}

export function registryEndpoints(settings: Record<string, string>): string[] {
  const r = parseJson(settings['containerd-registry']);
  const out: string[] = [];
  const mirrors = field(r, 'Mirrors');
  if (typeof mirrors === 'object' && mirrors !== null) for (const m of Object.values(mirrors)) out.push(...strings(field(m, 'Endpoints', 'endpoint')).map(withoutCredentials));
  const configs = field(r, 'Configs');
  if (typeof configs === 'object' && configs !== null) for (const host of Object.keys(configs)) out.push(host.includes('://') ? host : `https://${host}`);
  return [...new Set(out.map((u) => u.replace(/\/+$/, '')))];
}

export function ntpServers(settings: Record<string, string>): string[] {
  return strings(field(parseJson(settings['ntp-servers']), 'ntpServers'));
}

/**
 * Interfaces a node should have for the recorded cluster networks (bridge, bond, uplinks);
 * with `applied` (VlanConfig → nodes) only those of the VlanConfigs that reached `node`.
 */
export function clusterNetworkInterfaces(net: NetworkFacts, node?: string, applied?: Record<string, string[]>): string[] {
  const out = net.clusterNetworks.includes('mgmt') ? ['mgmt-br'] : [];
  for (const vc of net.vlanConfigs) {
    if (node && applied?.[vc.name] && !applied[vc.name]!.includes(node)) continue;
    if (vc.clusterNetwork) out.push(`${vc.clusterNetwork}-br`, `${vc.clusterNetwork}-bo`);
    out.push(...vc.nics);
  }
  return [...new Set(out)];
}

export function netExpectations(node: NodeFact, net: NetworkFacts, baselines: NodeNetworkFacts | undefined, extra: { rancherUrl?: string; ntpMaxOffsetMs?: number }): NetExpectations {
  const s = net.settings;
  const proxy = proxySettings(s);
  const proxies = [...new Set([proxy.httpProxy, proxy.httpsProxy].filter((p): p is string => Boolean(p)))];
  const registries = registryEndpoints(s).map((url) => {
    const host = hostOf(url);
    const via = url.startsWith('http://') ? proxy.httpProxy : proxy.httpsProxy ?? proxy.httpProxy;
    return { url, ...(via && host && !bypassesProxy(host, proxy.noProxy) ? { proxy: via } : {}) };
  });
  const hosts = [...ntpServers(s), ...proxies.map(hostOf), ...registries.map((r) => hostOf(r.url)), hostOf(s['cluster-registration-url'] ?? ''), extra.rancherUrl ? hostOf(extra.rancherUrl) : undefined];
  const names = [...new Set(hosts.filter((h): h is string => Boolean(h) && isIP(h!) === 0))];
  const base = baselines?.nodes[node.name];
  const expected = clusterNetworkInterfaces(net, node.name, baselines?.vlanConfigNodes);
  const interfaces = base ? expected.filter((i) => base.interfaces.some((b) => b.name === i)) : expected;
  return {
    ip: node.ip,
    ...(base?.gateway ? { gateway: base.gateway } : {}),
    names,
    ntpMaxOffsetMs: extra.ntpMaxOffsetMs ?? DefaultNtpMaxOffsetMs,
    proxies,
    registries,
    interfaces,
  };
}

/** One line per check, for --dry-run and describe(). */
export function describeExpectations(node: string, e: NetExpectations): string {
  const parts = [
    `IP ${e.ip} on an interface`,
    `default gateway ${e.gateway ?? '(from the default route)'} answers ping`,
    ...(e.names.length ? [`DNS resolves ${e.names.join(', ')}`] : []),
    `NTP synchronised, offset under ${e.ntpMaxOffsetMs >= 1000 ? `${e.ntpMaxOffsetMs / 1000} s` : `${e.ntpMaxOffsetMs} ms`}`,
    ...e.proxies.map((p) => `proxy ${p} answers`),
    ...e.registries.map((r) => `registry ${r.url} answers${r.proxy ? ` (through ${r.proxy})` : ''}`),
    ...(e.interfaces.length ? [`interfaces ${e.interfaces.join(', ')} present and not down`] : []),
  ];
  return `${node}: ${parts.join('; ')}`;
}

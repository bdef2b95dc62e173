// The read-only network checks of seed 1.2 / 5, from the node's own point of view: its IP
// on an interface, the default gateway (the recorded one, answering ping), DNS for the
// recorded names, NTP synchronised within the threshold, the proxy and the registries
// answering, the cluster-network interfaces present and not down. Two SSH sessions per node
// (everything, then the ping of the gateway it found). Each check gives one result line;
// an output that cannot be read fails its check (fail closed).
import type { CommandResult } from '../power/ssh.js';
import type { NetCheckName, NetCheckResult, NetExpectations, NodeNetBaseline } from '../runbook/netcheck-port.js';
import { NetCommands, safeHost, safeIp, safeUrl } from './commands.js';
import { ParseError, parseChronyTracking, parseCurl, parseDefaultRoutes, parseGetent, parseIpAddr, parseIpLink, parseTimesyncOffset } from './parse.js';

export type { CommandResult };

/** Runs commands on one node over one session, answers in order. */
export interface CommandRunner {
  run(commands: string[]): Promise<CommandResult[]>;
}

const result = (check: NetCheckName, target: string, ok: boolean, detail: string): NetCheckResult => ({ check, target, ok, detail });
const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

function guarded(check: NetCheckName, target: string, fn: () => NetCheckResult): NetCheckResult {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParseError) return result(check, target, false, `cannot read the answer: ${e.message}`);
    throw e;
  }
}

function failedCommand(r: CommandResult): string | undefined {
  if (r.exitCode === 0) return undefined;
  return r.exitCode === 127 ? `${r.command.split(' ')[0]} is not installed` : firstLine(r.stderr) || `exit ${r.exitCode ?? 'signal'}`;
}

export async function readBaseline(runner: CommandRunner): Promise<NodeNetBaseline> {
  const [addr, link, route] = await runner.run([NetCommands.ipAddr, NetCommands.ipLink, NetCommands.defaultRoute]);
  for (const r of [addr!, link!, route!]) {
    const bad = failedCommand(r);
    if (bad) throw new ParseError(`"${r.command}" failed: ${bad}`);
  }
  const gw = parseDefaultRoutes(route!.stdout)[0]?.gateway;
  return {
    ...(gw ? { gateway: gw } : {}),
    addresses: parseIpAddr(addr!.stdout).flatMap((i) => i.addresses),
    interfaces: parseIpLink(link!.stdout).map((l) => ({ name: l.name, state: l.state })),
  };
}

export async function runNetChecks(runner: CommandRunner, e: NetExpectations): Promise<NetCheckResult[]> {
  const names = e.names.filter(safeHost);
  const proxies = e.proxies.filter(safeUrl);
  const registries = e.registries.filter((r) => safeUrl(r.url) && (!r.proxy || safeUrl(r.proxy)));
  const commands = [
    NetCommands.ipAddr,
    NetCommands.ipLink,
    NetCommands.defaultRoute,
    NetCommands.ntpSynchronized,
    NetCommands.timesyncStatus,
    NetCommands.chronyTracking,
    ...names.map(NetCommands.getent),
    ...proxies.map((p) => NetCommands.curl(p)),
    ...registries.map((r) => NetCommands.curl(`${r.url.replace(/\/+$/, '')}/v2/`, r.proxy)),
  ];
  const answers = new Map((await runner.run(commands)).map((a) => [a.command, a]));
  const get = (c: string) => answers.get(c) ?? { command: c, stdout: '', stderr: 'no answer', exitCode: null };

  const out: NetCheckResult[] = [];
  out.push(guarded('ip', e.ip, () => ipCheck(get(NetCommands.ipAddr), e.ip)));
  const gw = guarded('gateway', e.gateway ?? 'default route', () => gatewayCheck(get(NetCommands.defaultRoute), e.gateway));
  if (gw.ok) {
    const [ping] = await runner.run([NetCommands.ping(gw.target)]);
    out.push(ping!.exitCode === 0 ? result('gateway', gw.target, true, `${gw.target} answers ping`) : result('gateway', gw.target, false, `${gw.target} does not answer ping (${firstLine(ping!.stdout.split('\n').find((l) => /packet loss/.test(l)) ?? ping!.stderr) || `exit ${ping!.exitCode}`})`));
  } else out.push(gw);
  for (const n of e.names) {
    if (!safeHost(n)) out.push(result('dns', n, false, 'not a host name; not checked'));
    else out.push(dnsCheck(get(NetCommands.getent(n)), n));
  }
  out.push(guarded('ntp', 'clock', () => ntpCheck(get(NetCommands.ntpSynchronized), get(NetCommands.timesyncStatus), get(NetCommands.chronyTracking), e.ntpMaxOffsetMs)));
  for (const p of e.proxies) out.push(safeUrl(p) ? reach('proxy', p, get(NetCommands.curl(p))) : result('proxy', p, false, 'not an http(s) URL; not checked'));
  for (const r of e.registries) {
    const ok = registries.includes(r);
    out.push(ok ? reach('registry', r.url, get(NetCommands.curl(`${r.url.replace(/\/+$/, '')}/v2/`, r.proxy))) : result('registry', r.url, false, 'not an http(s) URL; not checked'));
  }
  out.push(...guardedList('vlan', () => vlanChecks(get(NetCommands.ipLink), e.interfaces)));
  return out;
}

function guardedList(check: NetCheckName, fn: () => NetCheckResult[]): NetCheckResult[] {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParseError) return [result(check, 'interfaces', false, `cannot read the answer: ${e.message}`)];
    throw e;
  }
}

function ipCheck(r: CommandResult, ip: string): NetCheckResult {
  const bad = failedCommand(r);
  if (bad) return result('ip', ip, false, `"${r.command}" failed: ${bad}`);
  const ifaces = parseIpAddr(r.stdout);
  const on = ifaces.find((i) => i.addresses.some((a) => a.split('/')[0] === ip));
  if (on) return result('ip', ip, true, `on ${on.name}`);
  const found = ifaces.filter((i) => i.name !== 'lo').flatMap((i) => i.addresses.filter((a) => !a.includes(':')).map((a) => `${a} on ${i.name}`));
  return result('ip', ip, false, `${ip} is on no interface (found ${found.length ? found.join(', ') : 'no IPv4 address'})`);
}

function gatewayCheck(r: CommandResult, recorded: string | undefined): NetCheckResult {
  const bad = failedCommand(r);
  if (bad) return result('gateway', recorded ?? 'default route', false, `"${r.command}" failed: ${bad}`);
  const gw = parseDefaultRoutes(r.stdout)[0]?.gateway;
  if (!gw) return result('gateway', recorded ?? 'default route', false, 'no default route');
  if (!safeIp(gw)) return result('gateway', gw, false, 'the default route names no IP address');
  if (recorded && gw !== recorded) return result('gateway', gw, false, `default gateway is ${gw}, it was ${recorded} before the shutdown`);
  return result('gateway', gw, true, 'default route');
}

function dnsCheck(r: CommandResult, name: string): NetCheckResult {
  if (r.exitCode === 0) {
    const addrs = parseGetent(r.stdout);
    if (addrs.length) return result('dns', name, true, `resolves to ${addrs.slice(0, 3).join(', ')}`);
  }
  if (r.exitCode === 2 || (r.exitCode === 0 && parseGetent(r.stdout).length === 0)) return result('dns', name, false, `${name} does not resolve`);
  return result('dns', name, false, `"${r.command}" failed: ${failedCommand(r) ?? 'no address'}`);
}

function ntpCheck(synced: CommandResult, status: CommandResult, chrony: CommandResult, maxMs: number): NetCheckResult {
  const limit = `${maxMs >= 1000 ? `${maxMs / 1000} s` : `${maxMs} ms`}`;
  const within = (offsetMs: number | undefined, source: string, syncedNow: boolean): NetCheckResult => {
    const off = offsetMs === undefined ? undefined : `${offsetMs >= 0 ? '+' : ''}${Math.abs(offsetMs) >= 1000 ? `${(offsetMs / 1000).toFixed(1)} s` : `${offsetMs.toFixed(1)} ms`}`;
    if (!syncedNow) return result('ntp', 'clock', false, `not synchronised (${source})${off ? `, last offset ${off}` : ''}`);
    if (offsetMs !== undefined && Math.abs(offsetMs) > maxMs) return result('ntp', 'clock', false, `clock offset ${off} exceeds ${limit} (${source})`);
    return result('ntp', 'clock', true, `synchronised${off ? `, offset ${off}` : ''} (${source})`);
  };
  if (synced.exitCode === 0 && /^(yes|no)$/.test(synced.stdout.trim())) {
    const offset = status.exitCode === 0 ? parseTimesyncOffset(status.stdout) : undefined;
    return within(offset, 'systemd-timesyncd', synced.stdout.trim() === 'yes');
  }
  if (chrony.exitCode === 0) {
    const t = parseChronyTracking(chrony.stdout);
    return within(t.offsetMs, 'chrony', t.synced);
  }
  return result('ntp', 'clock', false, `cannot tell: timedatectl (${failedCommand(synced) ?? 'unreadable'}) and chronyc (${failedCommand(chrony) ?? 'unreadable'})`);
}

function reach(check: 'proxy' | 'registry', url: string, r: CommandResult): NetCheckResult {
  const v = parseCurl(r.stdout, r.exitCode, r.stderr);
  return result(check, url, v.reachable, v.reachable ? v.detail : `${url} unreachable: ${v.detail}`);
}

function vlanChecks(r: CommandResult, want: string[]): NetCheckResult[] {
  if (want.length === 0) return [];
  const bad = failedCommand(r);
  if (bad) return [result('vlan', want.join(', '), false, `"${r.command}" failed: ${bad}`)];
  const links = new Map(parseIpLink(r.stdout).map((l) => [l.name, l.state]));
  return want.map((name) => {
    const state = links.get(name);
    if (state === undefined) return result('vlan', name, false, `interface ${name} is missing`);
    if (state === 'DOWN' || state === 'LOWERLAYERDOWN') return result('vlan', name, false, `interface ${name} is ${state}`);
    return result('vlan', name, true, state);
  });
}

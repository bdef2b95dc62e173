// What a twin node's own network looks like from a shell on it, answering the network
// checks' commands (../../netcheck/commands.ts) through the in-process SSH front's command
// hook. By default it is a healthy, unmoved site: the node's InternalIP (from its Node
// object, so an IP change fault shows here too) on mgmt-br, a gateway at .1 of its /24 that
// answers, every name resolving, timesyncd synchronised, proxies and registries answering,
// and the bridge, bond and uplinks of every cluster network (mgmt, and each VlanConfig's on
// the nodes it matched).
// Drift — per node or '*' for all — models a moved or long-stopped site: another gateway,
// a gateway that does not answer, DNS failing, a skewed or unsynchronised clock,
// unreachable hosts, missing or down interfaces.
import { Kinds } from '../../common/harvester.js';
import type { KObject, NodeObject } from '../../common/harvester-types.js';
import { NetCommands, parseCurlCommand, parseGetentCommand, parsePingCommand } from '../../netcheck/commands.js';
import type { TwinApi } from '../api.js';
import type { SshCommandAnswer, SshCommandHandler } from '../fronts/ssh-server.js';
import { hashString } from '../scenario/rng.js';

export interface NodeNetDrift {
  /** The default route points here (the site's network changed). */
  gateway?: string;
  /** The gateway does not answer ping. */
  gatewayDown?: boolean;
  /** true: no name resolves; a list: these names do not. */
  dnsFails?: boolean | string[];
  /** Synchronised, but the clock is this far off (positive: fast). */
  clockOffsetSeconds?: number;
  ntpUnsynced?: boolean;
  /** Host names (of proxy or registry URLs) that do not answer. */
  unreachable?: string[];
  missingInterfaces?: string[];
  downInterfaces?: string[];
}

const ok = (stdout: string): SshCommandAnswer => ({ stdout, exitCode: 0 });

function parseList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export class TwinNodeNetwork {
  private readonly drift = new Map<string, NodeNetDrift>();

  constructor(private readonly api: TwinApi) {}

  /** Sets (replaces) the drift of one node, or of every node with '*'. */
  setDrift(node: string, d: NodeNetDrift): void {
    this.drift.set(node, d);
  }

  clearDrift(): void {
    this.drift.clear();
  }

  readonly handler: SshCommandHandler = (node, command) => this.answer(node, command.trim());

  private d(node: string): NodeNetDrift {
    return { ...(this.drift.get('*') ?? {}), ...(this.drift.get(node) ?? {}) };
  }

  private async ip(node: string): Promise<string> {
    const n = await this.api.get<NodeObject>(Kinds.Node, undefined, node);
    const ip = n?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!ip) throw new Error(`no InternalIP for twin node ${node}`);
    return ip;
  }

  private async gateway(node: string): Promise<string> {
    return this.d(node).gateway ?? (await this.ip(node)).replace(/\.\d+$/, '.1');
  }

  private async links(node: string): Promise<{ name: string; state: string }[]> {
    const vcs = await this.api.list(Kinds.VlanConfig);
    const names = ['lo', 'eth0', 'mgmt-bo', 'mgmt-br'];
    for (const vc of vcs) {
      // Harvester lists the nodes a VlanConfig's nodeSelector matched; only those get its links.
      const matched = vc.metadata.annotations?.['network.harvesterhci.io/matched-nodes'];
      if (matched !== undefined && !parseList(matched).includes(node)) continue;
      const spec = (vc as KObject & { spec?: { clusterNetwork?: string; uplink?: { nics?: string[] } } }).spec;
      if (spec?.clusterNetwork) names.push(`${spec.clusterNetwork}-bo`, `${spec.clusterNetwork}-br`);
      names.push(...(spec?.uplink?.nics ?? []));
    }
    const d = this.d(node);
    return [...new Set(names)]
      .filter((n) => !(d.missingInterfaces ?? []).includes(n))
      .map((name) => ({ name, state: name === 'lo' ? 'UNKNOWN' : (d.downInterfaces ?? []).includes(name) ? 'DOWN' : 'UP' }));
  }

  private async answer(node: string, command: string): Promise<SshCommandAnswer | undefined> {
    const d = this.d(node);
    if (command === NetCommands.ipLink) {
      return ok(JSON.stringify((await this.links(node)).map((l, i) => ({ ifindex: i + 1, ifname: l.name, flags: l.state === 'DOWN' ? ['BROADCAST', 'MULTICAST'] : ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: l.state, link_type: l.name === 'lo' ? 'loopback' : 'ether' }))));
    }
    if (command === NetCommands.ipAddr) {
      const ip = await this.ip(node);
      const links = await this.links(node);
      return ok(
        JSON.stringify(
          links.map((l, i) => ({
            ifindex: i + 1,
            ifname: l.name,
            operstate: l.state,
            addr_info: l.name === 'lo' ? [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] : l.name === 'mgmt-br' ? [{ family: 'inet', local: ip, prefixlen: 24, scope: 'global' }] : [],
          })),
        ),
      );
    }
    if (command === NetCommands.defaultRoute) return ok(JSON.stringify([{ dst: 'default', gateway: await this.gateway(node), dev: 'mgmt-br', protocol: 'static', flags: [] }]));
    const ping = parsePingCommand(command);
    if (ping !== undefined) {
      const answers = ping === (await this.gateway(node)) && !d.gatewayDown;
      const stats = answers ? '3 packets transmitted, 3 received, 0% packet loss, time 2003ms' : '3 packets transmitted, 0 received, 100% packet loss, time 2040ms';
      return { stdout: `PING ${ping} (${ping}) 56(84) bytes of data.\n\n--- ${ping} ping statistics ---\n${stats}\n`, exitCode: answers ? 0 : 1 };
    }
    const name = parseGetentCommand(command);
    if (name !== undefined) {
      if (d.dnsFails === true || (Array.isArray(d.dnsFails) && d.dnsFails.includes(name))) return { exitCode: 2 };
      const h = hashString(name) >>> 0;
      return ok(`10.200.${(h >> 8) & 255}.${(h & 254) + 1}    ${name}\n`);
    }
    if (command === NetCommands.ntpSynchronized) return ok(d.ntpUnsynced ? 'no\n' : 'yes\n');
    if (command === NetCommands.timesyncStatus) {
      const off = d.clockOffsetSeconds ?? 0.000085;
      const offset = Math.abs(off) >= 1 ? `${off >= 0 ? '+' : '-'}${Math.abs(off).toFixed(3)}s` : `${off >= 0 ? '+' : '-'}${Math.round(Math.abs(off) * 1e6)}us`;
      return ok(`       Server: 10.200.0.123 (0.suse.pool.ntp.org)\nPoll interval: 34min 8s (min: 32s; max 34min 8s)\n         Leap: normal\n      Version: 4\n      Stratum: 2\n    Reference: C0A80101\n    Precision: 1us (-25)\nRoot distance: 1.234ms (max: 5s)\n       Offset: ${offset}\n        Delay: 1.301ms\n       Jitter: 127us\n Packet count: 53\n    Frequency: +42.371ppm\n`);
    }
    if (command === NetCommands.chronyTracking) return { stderr: 'bash: chronyc: command not found\n', exitCode: 127 };
    const curl = parseCurlCommand(command);
    if (curl) {
      const via = curl.proxy ? new URL(curl.proxy) : new URL(curl.url);
      const host = via.hostname;
      const port = via.port || (via.protocol === 'https:' ? '443' : '80');
      if (d.dnsFails === true || (Array.isArray(d.dnsFails) && d.dnsFails.includes(host))) {
        return { stdout: '000', stderr: `curl: (${curl.proxy ? 5 : 6}) Could not resolve ${curl.proxy ? 'proxy' : 'host'}: ${host}\n`, exitCode: curl.proxy ? 5 : 6 };
      }
      if ((d.unreachable ?? []).includes(host)) return { stdout: '000', stderr: `curl: (7) Failed to connect to ${host} port ${port} after 3 ms: Couldn't connect to server\n`, exitCode: 7 };
      return ok(new URL(curl.url).pathname.startsWith('/v2') ? '401' : '400');
    }
    return undefined;
  }
}

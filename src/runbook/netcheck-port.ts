// The edge to the nodes' own view of the network (seed 1.2 / 5): read-only checks run over
// SSH on a node — its IP, default gateway, DNS, NTP, proxy, registry and VLAN interfaces.
// src/netcheck implements it; the runbook only says what to expect and reads the answers.
import type { NodeTarget } from './ports.js';

export type NetCheckName = 'ip' | 'gateway' | 'dns' | 'ntp' | 'proxy' | 'registry' | 'vlan';

/** What the node must show, from what the shutdown recorded. */
export interface NetExpectations {
  /** The recorded InternalIP: must sit on one of the node's interfaces. */
  ip: string;
  /** The default gateway the node had before the shutdown, when it was recorded. */
  gateway?: string;
  /** Host names that must resolve (NTP servers, proxy, registries, Rancher Manager). */
  names: string[];
  /** Largest NTP offset that counts as synchronised, in ms. */
  ntpMaxOffsetMs: number;
  /** Proxy URLs that must answer (any HTTP status counts: it is reachability). */
  proxies: string[];
  /** Registry endpoints (https://host[:port]) that must answer, through the recorded proxy
   *  when containerd would use one for them. */
  registries: { url: string; proxy?: string }[];
  /** Interfaces that must exist and not be down (cluster-network bridges, bonds, uplinks). */
  interfaces: string[];
}

export interface NetCheckResult {
  check: NetCheckName;
  /** What was checked: the IP, gateway, name, URL or interface. */
  target: string;
  ok: boolean;
  /** One line: what was found ("10.0.0.1 answers", "NXDOMAIN"). */
  detail: string;
}

/** The node's network as it was before the shutdown, seen from the node itself. */
export interface NodeNetBaseline {
  gateway?: string;
  /** "10.0.0.11/24" on every interface that had an address. */
  addresses: string[];
  /** Every interface name with its state. */
  interfaces: { name: string; state: string }[];
}

export interface NetCheckPort {
  /** True when the node can be reached for checks (SSH configured for it). */
  canCheck(node: string): boolean;
  /** Runs every check; never changes anything on the node. */
  check(node: NodeTarget, expect: NetExpectations): Promise<NetCheckResult[]>;
  baseline(node: NodeTarget): Promise<NodeNetBaseline>;
}

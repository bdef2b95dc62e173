// The seed's biggest restart risk (1.2): a node that comes back with another IP.
import type { NodeObject } from '../../common/harvester-types.js';
import type { NodeFact } from '../facts.js';
import { internalIp } from './nodes.js';

/** Nodes whose live InternalIP differs from the recorded one ("harv41: 192.168.122.141 → …"). */
export function changedIps(recorded: NodeFact[], live: NodeObject[]): string[] {
  const out: string[] = [];
  for (const n of recorded) {
    const l = live.find((x) => x.metadata.name === n.name);
    const ip = l ? internalIp(l) : '';
    if (l && ip && n.ip && ip !== n.ip) out.push(`${n.name}: recorded ${n.ip}, now ${ip}`);
  }
  return out;
}

export const ipChangeHint =
  'Give the node its old address back (static IP or DHCP reservation, seed 1.2), reboot it, then `fallow resume`';

// The etcd shutdown and restart order (seed 4.2, 4.3, 5.1): followers one by one, the
// leader last; a leader on a witness node is first moved to a control-plane member;
// the restart powers the last leader on first, then the others.
import type { EtcdMember } from '../ports.js';
import type { NodeFact } from '../facts.js';

export interface EtcdView {
  node: NodeFact;
  member: EtcdMember;
}

/** Matches members to nodes by the IP in their client endpoint. */
export function matchMembers(members: EtcdMember[], nodes: NodeFact[]): { matched: EtcdView[]; unmatched: EtcdMember[] } {
  const matched: EtcdView[] = [];
  const unmatched: EtcdMember[] = [];
  for (const m of members) {
    const host = endpointHost(m.endpoint);
    const node = nodes.find((n) => n.ip === host);
    if (node) matched.push({ node, member: m });
    else unmatched.push(m);
  }
  return { matched, unmatched };
}

export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return endpoint;
  }
}

/** A control-plane member to move leadership to when the leader sits on a witness node. */
export function moveTarget(views: EtcdView[]): EtcdView | undefined {
  return views.filter((v) => !v.node.witness && !v.member.isLeader).sort((a, b) => a.node.name.localeCompare(b.node.name))[0];
}

/** Followers (witness first, then by name) and the leader last. */
export function shutdownOrder(views: EtcdView[]): string[] {
  const leader = views.find((v) => v.member.isLeader);
  const followers = views
    .filter((v) => v !== leader)
    .sort((a, b) => Number(b.node.witness) - Number(a.node.witness) || a.node.name.localeCompare(b.node.name));
  return [...followers.map((v) => v.node.name), ...(leader ? [leader.node.name] : [])];
}

/** Restart: the last node down first, then the rest in reverse shutdown order. */
export function restartOrder(shutdown: string[]): string[] {
  return [...shutdown].reverse();
}

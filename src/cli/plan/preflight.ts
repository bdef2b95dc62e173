// Preflight: is the cluster safe to start a shutdown on? Each check is ok / warn / fail
// with a detail naming the objects; any fail makes `fallow plan` exit 3. Fail closed: a
// fact that could not be read (etcd not answering) is a failure, not a pass.
//
// Static node IPs (seed 1.2) cannot be proven from the Kubernetes API: a DHCP reservation
// lives in the DHCP server. The heuristic, per node:
//   - evidence the address CHANGED (warn, loud): an etcd member whose endpoint IP is no
//     node's InternalIP; RKE2's `rke2.io/internal-ip` annotation differing from InternalIP;
//     no InternalIP at all;
//   - evidence it is DYNAMIC (warn): Harvester's management-ip-mode annotation says dhcp;
//   - evidence it is PINNED (ok): `rke2.io/node-args` carries --node-ip, or the ip-mode
//     annotation says static;
//   - no evidence either way (warn, soft): "cannot confirm; check the DHCP reservations".
import { capList } from '../../common/list.js';
import { type AccessCheck, describeAccess } from '../../cluster/access.js';
import type { Inventory, NodeInventory } from './inventory.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

const ok = (id: string, title: string, detail: string): PreflightCheck => ({ id, title, status: 'ok', detail });
const warn = (id: string, title: string, detail: string, hint?: string): PreflightCheck => ({ id, title, status: 'warn', detail, ...(hint ? { hint } : {}) });
const fail = (id: string, title: string, detail: string, hint?: string): PreflightCheck => ({ id, title, status: 'fail', detail, ...(hint ? { hint } : {}) });

function nodesReady(inv: Inventory): PreflightCheck {
  const t = 'All nodes Ready';
  const notReady = inv.nodes.filter((n) => !n.ready).map((n) => n.name);
  if (inv.nodes.length === 0) return fail('nodes-ready', t, 'the cluster lists no nodes');
  if (notReady.length) return fail('nodes-ready', t, `not Ready: ${capList(notReady)}`, 'Bring them back (or remove them from the cluster) before a planned shutdown');
  const maint = inv.nodes.filter((n) => n.maintenance || n.unschedulable).map((n) => n.name);
  if (maint.length) return warn('nodes-ready', t, `${inv.nodes.length} Ready; cordoned or in maintenance: ${capList(maint)}`);
  return ok('nodes-ready', t, `${inv.nodes.length} nodes Ready`);
}

function etcdHealthy(inv: Inventory): PreflightCheck {
  const t = 'etcd healthy with a leader';
  const e = inv.etcd;
  if (e.members.length === 0) return fail('etcd', t, `could not read the etcd members: ${e.error ?? 'no answer'}`, 'Check the etcd pods in kube-system (seed 4.2)');
  const leader = e.members.find((m) => m.isLeader);
  if (!leader) return fail('etcd', t, `no member is leader (${e.members.length} members)`, 'etcd has no quorum or is electing; wait and rerun');
  const etcdNodes = inv.nodes.filter((n) => n.etcd || n.controlPlane).length;
  const terms = new Set(e.members.map((m) => m.raftTerm));
  const where = leader.node ? `on ${leader.node}` : `at ${leader.endpoint}`;
  if (e.members.length !== etcdNodes) {
    return warn('etcd', t, `${e.members.length} members but ${etcdNodes} etcd/control-plane nodes; leader ${where}`, 'Compare `etcdctl member list` with the nodes');
  }
  if (terms.size > 1) return warn('etcd', t, `members disagree on the raft term (${[...terms].join(', ')}); leader ${where}`);
  const witness = inv.nodes.find((n) => n.name === leader.node)?.witness;
  return ok('etcd', t, `${e.members.length} members, leader ${where}${witness ? ' (a witness node: it will be moved first, seed 4.2)' : ''}`);
}

function volumesHealthy(inv: Inventory): PreflightCheck {
  const t = 'No faulted Longhorn volume';
  const v = inv.volumes;
  if (v.faulted.length) return fail('volumes', t, `faulted: ${capList(v.faulted)}`, 'Repair or restore them in Longhorn before shutting down');
  if (v.degraded.length) return warn('volumes', t, `${v.total} volumes; degraded (rebuilding): ${capList(v.degraded)}`, 'Let the replicas rebuild before shutting down if you can');
  return ok('volumes', t, `${v.total} volumes, none faulted or degraded`);
}

function rbac(access: AccessCheck[]): PreflightCheck {
  const t = 'Permissions for every step (SelfSubjectAccessReview)';
  const denied = access.filter((a) => !a.allowed).map(describeAccess);
  if (denied.length) return fail('rbac', t, `missing ${denied.length} of ${access.length}: ${capList(denied, 8)}`, 'Grant them, or run `fallow rbac` for the role fallow needs');
  return ok('rbac', t, `${access.length} verb/resource pairs allowed`);
}

function addressEvidence(n: NodeInventory, etcdIps: Set<string>): { changed?: string; dynamic?: string; pinned?: string } {
  if (!n.ip) return { changed: `${n.name} has no InternalIP` };
  const h = n.addressHints;
  if (h.rke2InternalIp && h.rke2InternalIp !== n.ip) return { changed: `${n.name} is ${n.ip} but RKE2 registered ${h.rke2InternalIp}` };
  if ((n.etcd || n.controlPlane) && etcdIps.size > 0 && !etcdIps.has(n.ip)) return { changed: `${n.name} (${n.ip}) is not the address of any etcd member` };
  if (h.ipMode?.toLowerCase() === 'dhcp') return { dynamic: `${n.name} takes ${n.ip} from DHCP` };
  if (h.nodeIpPinned || h.ipMode?.toLowerCase() === 'static') return { pinned: n.name };
  return {};
}

/** See the header: what the API can and cannot tell about static addresses. */
export function staticIps(inv: Inventory): PreflightCheck {
  const t = 'Node IPs look static (seed 1.2)';
  const etcdIps = new Set(inv.etcd.members.map((m) => { try { return new URL(m.endpoint).hostname; } catch { return m.endpoint; } }));
  const orphanMembers = inv.etcd.members.filter((m) => !m.node).map((m) => m.endpoint);
  const ev = inv.nodes.map((n) => addressEvidence(n, etcdIps));
  const changed = [...ev.flatMap((e) => (e.changed ? [e.changed] : [])), ...orphanMembers.map((ep) => `etcd member ${ep} matches no node`)];
  const dynamic = ev.flatMap((e) => (e.dynamic ? [e.dynamic] : []));
  const pinned = ev.filter((e) => e.pinned).length;
  const hint = 'Give every node a static address or a DHCP reservation before the shutdown, or the cluster may not come back (seed 1.2)';
  if (changed.length) return warn('static-ips', t, `an address has changed since the node joined: ${capList(changed)}`, hint);
  if (dynamic.length) return warn('static-ips', t, `DHCP-assigned: ${capList(dynamic)}`, hint);
  if (pinned === inv.nodes.length) return ok('static-ips', t, `all ${pinned} node addresses are pinned`);
  return warn(
    'static-ips',
    t,
    `no sign of a changed address, but the API cannot show static configuration or DHCP reservations for ${inv.nodes.length - pinned} of ${inv.nodes.length} nodes`,
    'Confirm them with your network team (seed 1.2)',
  );
}

function vip(inv: Inventory): PreflightCheck {
  const t = 'VIP served by ingress-expose';
  const { configured, externalIp } = inv.vip;
  if (!externalIp) return warn('vip', t, `kube-system/ingress-expose has no EXTERNAL-IP${configured ? ` (VIP ${configured} configured)` : ''}`, 'The VIP cannot be checked after the restart; look at kube-vip');
  if (configured && configured !== externalIp) return warn('vip', t, `EXTERNAL-IP ${externalIp} differs from the configured VIP ${configured}`);
  return ok('vip', t, `VIP ${externalIp}`);
}

function addonsHealthy(inv: Inventory): PreflightCheck {
  const t = 'Addons not failing';
  const failed = inv.addons.filter((a) => a.failed).map((a) => `${a.namespace}/${a.name}`);
  if (failed.length) return warn('addons', t, `failing: ${capList(failed)}`, 'A failed addon may not disable cleanly at seed 3.3');
  const toDisable = inv.addons.filter((a) => a.enabled && a.holdsPvcs).map((a) => a.name);
  return ok('addons', t, toDisable.length ? `will disable and later re-enable: ${capList(toDisable)}` : 'no enabled addon holds PVCs');
}

function rancherState(inv: Inventory): PreflightCheck {
  const t = 'Rancher deployments readable';
  const missing = inv.rancher.deployments.filter((d) => !d.present).map((d) => d.name);
  if (inv.rancher.imported && missing.length) return warn('rancher', t, `imported into Rancher Manager but cattle-system has no ${missing.join(', ')}`);
  const desc = inv.rancher.deployments.filter((d) => d.present).map((d) => `${d.name} ${d.ready}/${d.replicas} (scale-available ${d.scaleAvailable === null ? 'unset' : JSON.stringify(d.scaleAvailable)})`);
  return ok('rancher', t, `${inv.rancher.imported ? 'imported' : 'not imported'}${desc.length ? `; ${desc.join(', ')}` : ''}`);
}

export function preflight(inv: Inventory, access: AccessCheck[], extra: PreflightCheck[] = []): PreflightCheck[] {
  return [nodesReady(inv), etcdHealthy(inv), volumesHealthy(inv), rbac(access), staticIps(inv), vip(inv), addonsHealthy(inv), rancherState(inv), ...extra];
}

// The verification rules for the cluster's frame: identity, nodes, VIP, settings, etcd.
// Workload rules (addons, Rancher, VMs, volumes, system pods) are in
// ./verify-rules-workloads.ts. Each explanation names the object and the next action.
import type { Difference, VerifyRule } from './verify.js';
import { difference, pairBy } from './verify-helpers.js';
import { stripDigests } from '../common/redact.js';
import { digestMismatch, NoDigestScheme, RedactionKeyFile, type RedactionStamp } from '../common/redaction.js';

const identity: VerifyRule = {
  id: 'cluster-identity',
  title: 'both snapshots are of the same cluster',
  compare(before, after) {
    if (before.cluster.id === after.cluster.id) return [];
    return [
      difference('cluster-identity', 'error', 'cluster/id', before.cluster.id, after.cluster.id,
        'The snapshots are of different clusters (kube-system namespace UID differs). Compare snapshots of the same cluster.'),
    ];
  },
};

const nodes: VerifyRule = {
  id: 'nodes',
  title: 'same nodes, same InternalIPs, all Ready',
  compare(before, after) {
    const out: Difference[] = [];
    for (const { key, b, a } of pairBy(before.nodes, after.nodes, (n) => n.name)) {
      const p = `nodes/${key}`;
      if (b && !a) {
        out.push(difference('nodes', 'error', p, b.internalIP, null,
          `Node ${key} is missing after the restart. Power it on and check that it rejoins the cluster.`));
        continue;
      }
      if (!b && a) {
        out.push(difference('nodes', 'warning', p, null, a.internalIP, `Node ${key} was not in the cluster before the shutdown.`));
        continue;
      }
      if (!a || !b) continue;
      if (a.internalIP !== b.internalIP) {
        out.push(difference('nodes', 'error', `${p}/internalIP`, b.internalIP, a.internalIP,
          `Node ${key} came back with another InternalIP. Harvester needs stable node IPs (seed 1.2): fix the static IP or DHCP reservation and reboot the node.`));
      }
      if (!a.ready) {
        out.push(difference('nodes', b.ready ? 'error' : 'warning', `${p}/ready`, b.ready, a.ready,
          `Node ${key} is not Ready${b.ready ? '' : ' (it was not Ready before the shutdown either)'}. Check rke2 on the node (journalctl -u rke2-server or rke2-agent) and its network.`));
      }
      if (a.roles.join(',') !== b.roles.join(',')) {
        out.push(difference('nodes', 'warning', `${p}/roles`, b.roles.join(','), a.roles.join(','),
          `Node ${key} has other roles than before the shutdown; Harvester may have promoted or demoted it.`));
      }
    }
    return out;
  },
};

const vip: VerifyRule = {
  id: 'vip',
  title: 'the VIP is unchanged and served by ingress-expose',
  compare(before, after) {
    const out: Difference[] = [];
    if (before.vip.configuredIp !== after.vip.configuredIp) {
      out.push(difference('vip', 'error', 'vip/configuredIp', before.vip.configuredIp, after.vip.configuredIp,
        'The VIP in ConfigMap harvester-system/vip changed. Restore the recorded VIP; clients and Rancher reach the cluster through it.'));
    }
    const expected = before.vip.configuredIp ?? before.vip.ingressIp;
    if (expected !== null && after.vip.ingressIp !== expected) {
      out.push(difference('vip', 'error', 'vip/ingressIp', expected, after.vip.ingressIp,
        after.vip.ingressIp === null
          ? 'Service kube-system/ingress-expose has no EXTERNAL-IP (seed 5.1 "Check the VIP"). Check kube-vip pods in harvester-system.'
          : 'Service kube-system/ingress-expose EXTERNAL-IP is not the VIP (seed 5.1 "Check the VIP"). Check kube-vip and the vip ConfigMap.'));
    }
    return out;
  },
};

const settings: VerifyRule = {
  id: 'settings',
  title: 'recorded settings unchanged (ntp-servers, http-proxy, containerd-registry, …)',
  compare(before, after) {
    const names = [...new Set([...Object.keys(before.settings), ...Object.keys(after.settings)])].sort();
    // Digests made under another scheme or key say nothing about the secret: compare the
    // settings without them, and say which secrets could not be compared.
    const mismatch = digestMismatch(before.redaction, after.redaction);
    const out: Difference[] = [];
    for (const name of names) {
      const b = before.settings[name]?.value ?? null;
      const a = after.settings[name]?.value ?? null;
      const [bc, ac] = mismatch === undefined || b === null || a === null ? [b, a] : [stripDigests(b), stripDigests(a)];
      if (ac !== bc) {
        out.push(difference('settings', 'error', `settings/${name}`, b, a,
          `Setting ${name} differs from the value recorded before the shutdown (seed 1.2). Restore it in Harvester settings.`));
      } else if (mismatch !== undefined && b !== bc) {
        out.push(difference('settings', 'warning', `settings/${name}`, b, a,
          `Setting ${name}: its secrets — ${mismatch}; the rest of it is unchanged. ${mismatchHint(after.redaction)}`));
      }
    }
    return out;
  },
};

function mismatchHint(after: RedactionStamp | undefined): string {
  return after?.scheme === NoDigestScheme
    ? `Put the key file ${after.stateRoot}/${RedactionKeyFile} back to compare them, or check the secrets in Harvester settings by hand.`
    : 'Check the secrets in Harvester settings by hand.';
}

const etcd: VerifyRule = {
  id: 'etcd',
  title: 'etcd has the same members and a leader',
  compare(before, after) {
    if (!before.etcd) return [];
    if (!after.etcd) {
      return [difference('etcd', 'error', 'etcd', before.etcd.leader, null,
        `etcd status could not be read after the restart${after.unreadable.length ? ` (${after.unreadable.join('; ')})` : ''}. Check the etcd pods in kube-system.`)];
    }
    const out: Difference[] = [];
    const memberName = (m: { node: string | null; id: string }) => m.node ?? m.id;
    const b = before.etcd.members.map(memberName).sort().join(',');
    const a = after.etcd.members.map(memberName).sort().join(',');
    if (a !== b) {
      out.push(difference('etcd', 'error', 'etcd/members', b, a,
        'etcd members differ from before the shutdown. Power on every control-plane and witness node; a member that did not rejoin must be checked on its node.'));
    }
    if (after.etcd.leader === null) {
      out.push(difference('etcd', 'error', 'etcd/leader', before.etcd.leader, null,
        'etcd has no leader: quorum is lost. Power on the remaining control-plane/witness nodes (seed 5.1).'));
    }
    return out;
  },
};

export const frameRules: readonly VerifyRule[] = [identity, nodes, vip, settings, etcd];

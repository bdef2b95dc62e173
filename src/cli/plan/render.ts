// The human form of a Plan: the cluster, the inventory the seed asks to write down, the
// preflight verdicts, then every step in order with its seed section. Long lists are
// capped (a 5,000-VM cluster prints counts and the first few names); -o json has all.
import { capList } from '../../common/list.js';
import { type Colors, table } from '../output.js';
import type { CheckStatus } from './preflight.js';
import type { Plan } from './plan.js';

function section(c: Colors, title: string): string {
  return `\n${c.bold(title)}\n`;
}

function mark(c: Colors, s: CheckStatus): string {
  return s === 'ok' ? c.green('ok  ') : s === 'warn' ? c.yellow('warn') : c.red('FAIL');
}

const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || 'none';

export function renderPlan(plan: Plan, c: Colors): string {
  const inv = plan.inventory;
  const id = plan.cluster;
  let out = '';
  out += `${c.bold('Cluster')} ${id.name ?? ''}${id.context && id.context !== id.name ? ` (context ${id.context})` : ''}\n`;
  out += `  server            ${id.server}\n`;
  out += `  kube-system UID   ${id.uid}\n`;
  out += `  Harvester         ${id.harvesterVersion ?? 'unknown'}   Kubernetes ${id.kubernetesVersion ?? 'unknown'}\n`;

  out += section(c, 'Nodes');
  out += table(
    ['NAME', 'ROLES', 'INTERNAL-IP', 'STATUS', 'ETCD'],
    inv.nodes.map((n) => [
      n.name,
      n.witness ? 'witness' : n.controlPlane ? 'control-plane' : 'worker',
      n.ip || '<none>',
      `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ',SchedulingDisabled' : ''}${n.maintenance ? ',Maintenance' : ''}`,
      inv.etcd.leader === n.name ? 'leader' : inv.etcd.members.some((m) => m.node === n.name) ? 'member' : '',
    ]),
  );

  out += section(c, 'etcd');
  if (inv.etcd.members.length === 0) out += `  ${c.red('not readable')}: ${inv.etcd.error ?? 'no answer'}\n`;
  else
    out += table(
      ['ENDPOINT', 'ID', 'NODE', 'LEADER', 'RAFT TERM', 'RAFT INDEX', 'VERSION'],
      inv.etcd.members.map((m) => [m.endpoint, m.memberId, m.node ?? '?', String(m.isLeader), String(m.raftTerm), String(m.raftIndex), m.version]),
    );

  out += section(c, 'Network (seed 1.2)');
  out += `  VIP ${inv.vip.configured ?? '<not configured>'}${inv.vip.mode ? ` (${inv.vip.mode})` : ''}; ingress-expose EXTERNAL-IP ${inv.vip.externalIp ?? '<none>'}\n`;
  for (const [k, v] of Object.entries(inv.settings).sort(([a], [b]) => a.localeCompare(b))) out += `  ${k.padEnd(26)}${v === '' ? c.dim('<empty>') : v}\n`;

  out += section(c, 'Addons (seed 3.3)');
  out += table(
    ['NAMESPACE', 'NAME', 'ENABLED', 'STATUS', 'DISABLE BEFORE SHUTDOWN'],
    inv.addons.map((a) => [a.namespace, a.name, String(a.enabled), a.status, a.enabled && a.holdsPvcs ? `yes: ${a.reason}` : '']),
  );

  out += section(c, 'Rancher (seed 3.2)');
  out += `  ${inv.rancher.imported ? 'imported into Rancher Manager (cluster-registration-url set)' : 'not imported into Rancher Manager'}\n`;
  out += table(
    ['DEPLOYMENT', 'READY', 'SCALE-AVAILABLE'],
    inv.rancher.deployments.map((d) => [`cattle-system/${d.name}`, d.present ? `${d.ready}/${d.replicas}` : '<absent>', d.scaleAvailable === null ? '<unset>' : JSON.stringify(d.scaleAvailable)]),
  );

  out += section(c, 'Virtual machines (seed 3.1, 3.2)');
  for (const [label, vms] of [['traditional', inv.vms.traditional], ['downstream-cluster', inv.vms.downstream]] as const) {
    const running = vms.filter((v) => v.running);
    const names = running.map((v) => `${v.namespace}/${v.name}`);
    out += `  ${label.padEnd(19)}${vms.length} total, ${running.length} running${names.length ? `: ${capList(names)}` : ''}\n`;
  }
  const guests = [...new Set(inv.vms.downstream.map((v) => v.guestCluster).filter((g): g is string => Boolean(g)))];
  if (guests.length) out += `  downstream clusters ${capList(guests)}\n`;

  out += section(c, 'Longhorn volumes (seed 3.5)');
  out += `  ${inv.volumes.total} volumes: ${counts(inv.volumes.byState)}; robustness ${counts(inv.volumes.byRobustness)}\n`;

  out += section(c, 'Preflight');
  for (const p of plan.preflight) {
    out += `  ${mark(c, p.status)}  ${p.title}: ${p.detail}\n`;
    if (p.status !== 'ok' && p.hint) out += `        ${c.dim(p.hint)}\n`;
  }

  for (const rb of plan.runbooks) {
    out += section(c, `Plan: ${rb.name} (${rb.steps.length} steps, in this order)`);
    out += table(
      ['#', 'SEED', 'PHASE', 'STEP', 'NOTES'],
      rb.steps.map((s) => [
        String(s.n),
        s.seed,
        s.phase,
        s.title,
        [s.destructive ? 'destructive: asks first' : '', s.optional ? 'optional' : ''].filter(Boolean).join('; '),
      ]),
    );
  }
  const fails = plan.preflight.filter((p) => p.status === 'fail').length;
  out += `\n${plan.ok ? c.green('Preflight passed.') : c.red(`Preflight failed (${fails} check${fails > 1 ? 's' : ''}): fix the above before \`fallow shutdown\`.`)}\n`;
  return out;
}

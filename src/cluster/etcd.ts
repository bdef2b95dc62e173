// etcd through its static pods (kube-system/etcd-<node>), as the seed does it (4.2):
// `etcdctl` with RKE2's client certs, its `endpoint status --cluster -w json` read into
// members, and `move-leader` sent to the current leader's endpoint (etcd refuses it
// anywhere else). Member ids are uint64: the JSON numbers are read as text and turned
// into hex without passing through a JS number, which would round them.
import { TransientError } from '../common/errors.js';
import { Etcdctl, Namespaces } from '../common/harvester.js';
import type { ExecResult } from './exec.js';

export interface EtcdMember {
  /** Member name when known (member list); endpoint status does not carry it. */
  name?: string;
  endpoint: string; // https://<ip>:2379
  memberId: string; // hex, as etcdctl's table prints it
  isLeader: boolean;
  raftTerm: number;
  raftIndex: number;
  version: string;
  dbSize: number;
}

export type PodExec = (namespace: string, pod: string, container: string, command: string[]) => Promise<ExecResult>;

/** The command the seed runs: env ETCDCTL_API=3 etcdctl <args> <cert flags>. */
export function etcdctlCommand(args: string[]): string[] {
  return ['env', ...Etcdctl.env, 'etcdctl', ...args, ...Etcdctl.flags];
}

function etcdctlFailed(args: string[], pod: string, r: ExecResult): TransientError {
  const why = (r.stderr.trim().split('\n').pop() ?? '').slice(0, 300) || `exit code ${r.exitCode}`;
  return new TransientError(
    `etcdctl ${args.join(' ')} in ${Namespaces.kubeSystem}/${pod} failed: ${why}`,
    'etcd may be electing a leader or lack quorum; check the control-plane nodes',
  );
}

/** Runs etcdctl in the etcd pod of `node`; a non-zero exit is a TransientError with etcd's message. */
export async function etcdctl(exec: PodExec, node: string, args: string[]): Promise<string> {
  const pod = Etcdctl.podName(node);
  const r = await exec(Namespaces.kubeSystem, pod, Etcdctl.container, etcdctlCommand(args));
  if (r.exitCode !== 0) throw etcdctlFailed(args, pod, r);
  return r.stdout;
}

const uint64Fields = /"(cluster_id|member_id|leader|ID)"\s*:\s*(\d+)/g;

/** uint64 decimal text → lower-case hex, exactly. */
export function decimalToHex(dec: string): string {
  return BigInt(dec).toString(16);
}

interface StatusJson {
  Endpoint: string;
  Status: {
    header?: { cluster_id?: string; member_id?: string; revision?: number; raft_term?: number };
    version?: string;
    dbSize?: number;
    leader?: string;
    raftIndex?: number;
    raftTerm?: number;
  };
}

/** Parses `etcdctl endpoint status --cluster -w json`. */
export function parseEndpointStatus(json: string): EtcdMember[] {
  const text = json.trim().replace(uint64Fields, '"$1":"$2"');
  let rows: StatusJson[];
  try {
    rows = JSON.parse(text) as StatusJson[];
  } catch {
    throw new TransientError('etcdctl endpoint status printed something that is not JSON', 'Run it by hand (seed 4.2) to see what etcd says');
  }
  if (!Array.isArray(rows)) rows = [rows as unknown as StatusJson];
  return rows.map((r) => {
    const idDec = r.Status.header?.member_id ?? '0';
    const leaderDec = r.Status.leader ?? '';
    return {
      endpoint: r.Endpoint,
      memberId: decimalToHex(idDec),
      isLeader: leaderDec !== '' && leaderDec !== '0' && leaderDec === idDec,
      raftTerm: r.Status.raftTerm ?? r.Status.header?.raft_term ?? 0,
      raftIndex: r.Status.raftIndex ?? 0,
      version: r.Status.version ?? '',
      dbSize: r.Status.dbSize ?? 0,
    };
  });
}

/**
 * Members and leader, asked through the etcd pod on `node`. With --cluster, etcdctl exits
 * non-zero when any member does not answer (a node already shut down) but still prints the
 * status of those that did: those are returned, so the leader can be found while members
 * go down one by one (seed 4.2).
 */
export async function endpointStatus(exec: PodExec, node: string): Promise<EtcdMember[]> {
  const args = ['endpoint', 'status', '--cluster', '-w', 'json'];
  const pod = Etcdctl.podName(node);
  const r = await exec(Namespaces.kubeSystem, pod, Etcdctl.container, etcdctlCommand(args));
  if (r.exitCode === 0) return parseEndpointStatus(r.stdout);
  if (r.stdout.trim().startsWith('[')) {
    try {
      const answered = parseEndpointStatus(r.stdout);
      if (answered.length > 0) return answered;
    } catch {
      // not JSON: report etcd's own message below
    }
  }
  throw etcdctlFailed(args, pod, r);
}

/**
 * Moves leadership to `toMemberIdHex`: finds the current leader through the pod on
 * `viaNode`, then sends move-leader to the leader's endpoint (from that same pod).
 */
export async function moveLeader(exec: PodExec, viaNode: string, toMemberIdHex: string): Promise<void> {
  const members = await endpointStatus(exec, viaNode);
  const leader = members.find((m) => m.isLeader);
  if (!leader) throw new TransientError('etcd has no leader right now, so leadership cannot be moved', 'Wait for quorum, then retry');
  const target = toMemberIdHex.toLowerCase();
  if (leader.memberId === target) return;
  if (!members.some((m) => m.memberId === target)) {
    throw new TransientError(`etcd member ${target} is not in the cluster (members: ${members.map((m) => m.memberId).join(', ')})`, 'Re-read the members and pick one of them');
  }
  await etcdctl(exec, viaNode, ['--endpoints', leader.endpoint, 'move-leader', target]);
}

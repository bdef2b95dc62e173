// `etcdctl` as it answers inside an RKE2 etcd pod (etcd 3.5): `endpoint status|health
// [--cluster]`, `member list`, `move-leader <hex id>` and `version`, with `-w
// simple|json|table`, `--hex`, `--endpoints`, the TLS flags, and the `env ETCDCTL_API=3`
// prefix the seed uses. Output, error text and exit codes follow etcdctl 3.5.9's printers
// (ctlv3/command/printer*.go, ep_command.go, move_leader_command.go).
import { Etcdctl } from '../../common/harvester.js';
import type { EtcdMemberView, EtcdModel, EtcdStatus } from './model.js';
import { goDuration, goJson, humanizeBytes, renderTable, type GoJson } from './format.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ExitError = 1;
const ExitBadFeature = 4;
const ExitBadArgs = 128;

/** Files that exist in the etcd container (the RKE2 etcd TLS material). */
const knownFiles = new Set<string>([Etcdctl.flags[1], Etcdctl.flags[3], Etcdctl.flags[5]]);

interface Parsed {
  env: Map<string, string>;
  args: string[];
  endpoints: string[];
  writeOut: string;
  hex: boolean;
  cluster: boolean;
  tls: { cacert?: string; cert?: string; key?: string };
}

const valueFlags = new Set(['--endpoints', '--write-out', '-w', '--cacert', '--cert', '--key', '--dial-timeout', '--command-timeout', '--user', '--password', '--keepalive-time', '--keepalive-timeout', '--discovery-srv']);
const boolFlags = new Set(['--hex', '--cluster', '--insecure-skip-tls-verify', '--insecure-transport', '--debug', '--insecure-discovery']);

/**
 * Runs an etcdctl command line as the member on `node` sees it ("127.0.0.1:2379" is that
 * member). `command` is the exec argv: ["etcdctl", …] or ["env", "ETCDCTL_API=3", "etcdctl", …]
 * or ["sh", "-c", "…"].
 */
export function runEtcdctl(etcd: EtcdModel, node: string, command: string[], now: () => number = Date.now): ExecResult {
  let argv = [...command];
  if ((argv[0] === 'sh' || argv[0] === '/bin/sh') && argv[1] === '-c' && argv[2]) argv = argv[2].trim().split(/\s+/);
  const env = new Map<string, string>();
  if (argv[0] === 'env' || argv[0] === '/usr/bin/env') {
    argv.shift();
    while (argv[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0])) {
      const kv = argv.shift()!;
      const eq = kv.indexOf('=');
      env.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
  }
  const bin = argv.shift();
  if (bin === undefined || !/(^|\/)etcdctl$/.test(bin)) {
    const name = bin ?? '';
    return { stdout: '', stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${name}": executable file not found in $PATH: unknown\n`, exitCode: 126 };
  }
  const api = env.get('ETCDCTL_API');
  if (api !== undefined && api !== '3') {
    return { stdout: '', stderr: `Error: unsupported API version: ${api}\n`, exitCode: ExitBadArgs };
  }
  let p: Parsed;
  try {
    p = parse(argv, env);
  } catch (e) {
    return fail(ExitBadArgs, (e as Error).message);
  }
  for (const f of [p.tls.cacert, p.tls.cert, p.tls.key]) {
    if (f !== undefined && !knownFiles.has(f)) return fail(ExitBadArgs, `open ${f}: no such file or directory`);
  }
  if (!['simple', 'json', 'table', 'fields', 'protobuf'].includes(p.writeOut)) {
    return fail(ExitBadFeature, `unsupported output format: ${p.writeOut}`);
  }
  const ctx = new Ctx(etcd, node, p, now);
  const [cmd, sub, ...rest] = p.args;
  if (cmd === 'version') return ok(`etcdctl version: ${etcd.version}\nAPI version: ${etcd.version.split('.').slice(0, 2).join('.')}\n`);
  if (cmd === 'endpoint' && sub === 'status') return ctx.endpointStatus();
  if (cmd === 'endpoint' && sub === 'health') return ctx.endpointHealth();
  if (cmd === 'member' && sub === 'list') return ctx.memberList();
  if (cmd === 'move-leader') return ctx.moveLeader(sub === undefined ? rest : [sub, ...rest]);
  const shown = [cmd, sub].filter(Boolean).join(' ');
  return { stdout: '', stderr: `Error: unknown command "${shown}" for "etcdctl"\nRun 'etcdctl --help' for usage.\n`, exitCode: ExitError };
}

function parse(argv: string[], env: Map<string, string>): Parsed {
  const p: Parsed = {
    env,
    args: [],
    endpoints: (env.get('ETCDCTL_ENDPOINTS') ?? '127.0.0.1:2379').split(','),
    writeOut: env.get('ETCDCTL_WRITE_OUT') ?? 'simple',
    hex: env.get('ETCDCTL_HEX') === 'true',
    cluster: false,
    tls: {
      ...(env.has('ETCDCTL_CACERT') ? { cacert: env.get('ETCDCTL_CACERT') } : {}),
      ...(env.has('ETCDCTL_CERT') ? { cert: env.get('ETCDCTL_CERT') } : {}),
      ...(env.has('ETCDCTL_KEY') ? { key: env.get('ETCDCTL_KEY') } : {}),
    },
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      p.args.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (boolFlags.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) !== 'false' : true;
      if (name === '--hex') p.hex = v;
      if (name === '--cluster') p.cluster = v;
      continue;
    }
    if (!valueFlags.has(name)) throw new Error(`unknown flag: ${name}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`flag needs an argument: ${name}`);
    if (name === '--endpoints') p.endpoints = value.split(',');
    else if (name === '-w' || name === '--write-out') p.writeOut = value;
    else if (name === '--cacert') p.tls.cacert = value;
    else if (name === '--cert') p.tls.cert = value;
    else if (name === '--key') p.tls.key = value;
  }
  return p;
}

class Ctx {
  constructor(
    private readonly etcd: EtcdModel,
    private readonly node: string,
    private readonly p: Parsed,
    private readonly now: () => number,
  ) {}

  /** The member an endpoint reaches, or undefined when nothing answers there. */
  private memberAt(endpoint: string): EtcdMemberView | undefined {
    const host = endpoint.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const m = host === '127.0.0.1' || host === 'localhost' ? this.etcd.member(this.node) : this.etcd.members().find((x) => x.ip === host);
    return m?.running ? m : undefined;
  }

  /** TLS is mandatory on RKE2's etcd: without the client cert the handshake fails. */
  private tlsProblem(): string | undefined {
    const { cacert, cert, key } = this.p.tls;
    if (cacert && cert && key) return undefined;
    return 'context deadline exceeded';
  }

  /** `--cluster`: the client URLs from a (linearizable) member list. */
  private endpoints(): { eps: string[] } | { error: ExecResult } {
    if (!this.p.cluster) return { eps: this.p.endpoints };
    const list = this.memberListFrom(this.p.endpoints);
    if ('error' in list) return { error: fail(ExitError, `failed to fetch endpoints from etcd cluster member list: ${list.error}`) };
    return { eps: list.members.map((m) => m.clientURL) };
  }

  private memberListFrom(eps: string[]): { via: EtcdMemberView; members: EtcdMemberView[] } | { error: string } {
    const tls = this.tlsProblem();
    if (tls) return { error: tls };
    const via = eps.map((e) => this.memberAt(e)).find((m) => m !== undefined);
    if (!via || !this.etcd.leader()) return { error: 'context deadline exceeded' };
    return { via, members: this.etcd.members() };
  }

  endpointStatus(): ExecResult {
    const r = this.endpoints();
    if ('error' in r) return r.error;
    const rows: { ep: string; s: EtcdStatus }[] = [];
    let stderr = '';
    for (const ep of r.eps) {
      const m = this.tlsProblem() ? undefined : this.memberAt(ep);
      const s = m ? this.etcd.status(m.node) : undefined;
      if (!s) {
        stderr += `${retryWarning(this.now(), ep)}\nFailed to get the status of endpoint ${ep} (context deadline exceeded)\n`;
        continue;
      }
      rows.push({ ep, s });
    }
    const out = this.render(
      ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'],
      rows.map(({ ep, s }) => [ep, s.memberId.toString(16), s.version, humanizeBytes(s.dbSize), String(s.leader === s.memberId), String(s.isLearner), String(s.raftTerm), String(s.raftIndex), String(s.raftAppliedIndex), s.errors.join(', ')]),
      () => goJson(rows.map(({ ep, s }) => ({ Endpoint: ep, Status: statusJson(s) }))),
    );
    if ('stderr' in out) return out;
    return { stdout: out.stdout, stderr, exitCode: stderr ? ExitError : 0 };
  }

  endpointHealth(): ExecResult {
    const r = this.endpoints();
    if ('error' in r) return r.error;
    const list = r.eps.map((ep) => {
      const m = this.tlsProblem() ? undefined : this.memberAt(ep);
      const healthy = m !== undefined && this.etcd.leader() !== undefined;
      const took = healthy ? goDuration(4 + (hashOf(ep) % 9000) / 1000) : goDuration(5000 + (hashOf(ep) % 3000) / 1000);
      return healthy ? { endpoint: ep, health: true, took } : { endpoint: ep, health: false, took, error: 'context deadline exceeded' };
    });
    const bad = list.some((h) => !h.health);
    let stdout = '';
    let stderr = '';
    if (this.p.writeOut === 'simple') {
      for (const h of list) {
        if (h.health) stdout += `${h.endpoint} is healthy: successfully committed proposal: took = ${h.took}\n`;
        else stderr += `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}\n`;
      }
    } else {
      const out = this.render(['endpoint', 'health', 'took', 'error'], list.map((h) => [h.endpoint, String(h.health), h.took, h.error ?? '']), () => goJson(list));
      if ('stderr' in out) return out;
      stdout = out.stdout;
    }
    if (bad) stderr += 'Error: unhealthy cluster\n';
    return { stdout, stderr, exitCode: bad ? ExitError : 0 };
  }

  memberList(): ExecResult {
    const list = this.memberListFrom(this.p.endpoints);
    if ('error' in list) return fail(ExitError, list.error);
    const { via, members } = list;
    const header = { cluster_id: this.etcd.clusterId, member_id: via.id, raft_term: via.term };
    if (this.p.writeOut === 'json' && this.p.hex) {
      // etcdctl 3.5 writes this one by hand (note its "clientURLS" key)
      const ms = members.map((m) => `{"ID":"${m.idHex}","name":"${m.name}","peerURLs":${JSON.stringify([m.peerURL])},"clientURLS":${JSON.stringify([m.clientURL])}}`);
      return ok(`{"header":{"cluster_id":"${this.etcd.clusterId.toString(16)}","member_id":"${via.idHex}","raft_term":${via.term}}${ms.length ? `,"members":[${ms.join(',')}]` : ''}}\n`);
    }
    const out = this.render(
      ['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'],
      members.map((m) => [m.idHex, 'started', m.name, m.peerURL, m.clientURL, 'false']),
      () => goJson({ header, members: members.map((m) => ({ ID: m.id, name: m.name, peerURLs: [m.peerURL], clientURLs: [m.clientURL] })) }),
    );
    return 'stderr' in out ? out : { stdout: out.stdout, stderr: '', exitCode: 0 };
  }

  moveLeader(args: string[]): ExecResult {
    if (args.length !== 1) return fail(ExitBadArgs, 'move-leader command needs 1 argument');
    const arg = args[0]!;
    if (!/^[0-9a-fA-F]+$/.test(arg)) return fail(ExitBadArgs, `strconv.ParseUint: parsing "${arg}": invalid syntax`);
    if (arg.replace(/^0+/, '').length > 16) return fail(ExitBadArgs, `strconv.ParseUint: parsing "${arg}": value out of range`);
    // etcdctl asks each --endpoints member for its status and uses the one that leads.
    let leaderNode: string | undefined;
    for (const ep of this.p.endpoints) {
      const m = this.tlsProblem() ? undefined : this.memberAt(ep);
      const s = m ? this.etcd.status(m.node) : undefined;
      if (!s) return fail(ExitError, 'context deadline exceeded');
      if (s.leader === s.memberId) {
        leaderNode = m!.node;
        break;
      }
    }
    if (!leaderNode) return fail(ExitBadArgs, `no leader endpoint given at [${this.p.endpoints.join(' ')}]`);
    const r = this.etcd.moveLeader(leaderNode, arg);
    if (!r.ok) return fail(ExitError, r.error);
    return ok(`Leadership transferred from ${r.from.idHex} to ${r.to.idHex}\n`);
  }

  private render(hdr: string[], rows: string[][], json: () => string): { stdout: string } | ExecResult {
    switch (this.p.writeOut) {
      case 'table':
        return { stdout: renderTable(hdr, rows) };
      case 'json':
        return { stdout: json() + '\n' };
      case 'simple':
        return { stdout: rows.map((r) => r.join(', ') + '\n').join('') };
      default:
        return fail(ExitBadFeature, `${this.p.writeOut} not supported as output format`);
    }
  }
}

function statusJson(s: EtcdStatus): GoJson {
  return {
    header: { cluster_id: s.clusterId, member_id: s.memberId, revision: s.revision, raft_term: s.raftTerm },
    version: s.version,
    dbSize: s.dbSize,
    leader: s.leader === 0n ? undefined : s.leader,
    raftIndex: s.raftIndex,
    raftTerm: s.raftTerm,
    raftAppliedIndex: s.raftAppliedIndex,
    errors: s.errors.length ? s.errors : undefined,
    dbSizeInUse: s.dbSizeInUse,
    isLearner: s.isLearner ? true : undefined,
  };
}

/** The zap line clientv3's retry interceptor logs before giving up on an endpoint. */
function retryWarning(now: number, ep: string): string {
  const ts = new Date(now).toISOString().replace('Z', '').replace(/(\.\d{3})$/, '$1000Z');
  return goJson({
    level: 'warn',
    ts,
    logger: 'etcd-client',
    caller: 'v3@v3.5.9/retry_interceptor.go:62',
    msg: 'retrying of unary invoker failed',
    target: `etcd-endpoints://0xc0001a2000/${ep.replace(/^https?:\/\//, '')}`,
    attempt: 0,
    error: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
  });
}

function ok(stdout: string): ExecResult {
  return { stdout, stderr: '', exitCode: 0 };
}

function fail(code: number, message: string): ExecResult {
  return { stdout: '', stderr: `Error: ${message}\n`, exitCode: code };
}

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

// The etcd cluster of a twin: members on the control-plane and witness nodes, raft term and
// index, leader election among running members with a quorum (floor(n/2)+1), leadership
// transfer (move-leader, and etcd's own transfer when a leader shuts down cleanly).
//
// Modelled after raft as etcd 3.5 runs it: PreVote on (a partitioned member does not
// inflate the term), CheckQuorum on (a leader without a quorum steps down), the member with
// the most up-to-date log wins an election (the last leader, after a full shutdown in the
// seed's order). The raft index grows with modelled time while there is a leader; members
// that are down keep the index they had. Node power drives start/stop; the API reachability
// controller and etcdctl read it.
import type { Clock } from '../../common/clock.js';
import type { EventLog } from '../events.js';
import type { Rng } from '../scenario/rng.js';
import type { Timers } from '../controllers/timers.js';

export interface EtcdMemberInit {
  node: string;
  ip: string;
  /** 16 hex digits; generated when missing. */
  id?: string;
  /** RKE2 names members "<node>-<8 hex>". */
  name?: string;
}

export interface EtcdModelOptions {
  members: EtcdMemberInit[];
  clock: Clock;
  timers: Timers;
  rng: Rng;
  events: EventLog;
  clusterId?: string;
  version?: string;
  /** Node of the initial leader (default: the first member). */
  leader?: string;
  term?: number;
  index?: number;
  revision?: number;
  dbSize?: number;
  /** Modelled ms before a leaderless quorum elects a leader. */
  electionTimeoutMs?: readonly [number, number];
  /** Raft entries per modelled second while there is a leader. */
  entriesPerSecond?: number;
  /** Modelled ms an etcd pod takes to come back after its pod was deleted. */
  restartMs?: number;
  /** Members initially running (default: all). */
  running?: string[];
}

export interface EtcdMemberView {
  id: bigint;
  idHex: string;
  name: string;
  node: string;
  ip: string;
  peerURL: string;
  clientURL: string;
  running: boolean;
  /** Why a powered member cannot join (a changed node IP). */
  blocked?: string;
  term: number;
  index: number;
  isLeader: boolean;
}

export interface EtcdStatus {
  clusterId: bigint;
  memberId: bigint;
  revision: number;
  raftTerm: number;
  version: string;
  dbSize: number;
  dbSizeInUse: number;
  leader: bigint; // 0n: none
  raftIndex: number;
  raftAppliedIndex: number;
  errors: string[];
  isLearner: boolean;
}

export type MoveLeaderResult = { ok: true; from: EtcdMemberView; to: EtcdMemberView } | { ok: false; error: string };

interface Member {
  id: bigint;
  idHex: string;
  name: string;
  node: string;
  ip: string;
  running: boolean;
  blocked?: string;
  term: number;
  index: number;
}

export class EtcdModel {
  readonly clusterId: bigint;
  readonly version: string;
  private readonly byNode = new Map<string, Member>();
  private leaderNode: string | undefined;
  private term: number;
  private baseIndex: number;
  private baseRevision: number;
  private since: number | undefined; // modelled ms the current leader's reign began
  private readonly dbSize: number;
  private readonly entriesPerMs: number;
  private readonly electionTimeout: readonly [number, number];
  private readonly restartMs: number;
  private cancelElection: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();
  private hadQuorum: boolean;

  constructor(private readonly o: EtcdModelOptions) {
    this.clusterId = BigInt('0x' + (o.clusterId ?? o.rng.hex(16)));
    this.version = o.version ?? '3.5.9';
    this.term = o.term ?? 45;
    this.baseIndex = o.index ?? 6_538_756;
    this.baseRevision = o.revision ?? 5_421_337;
    this.dbSize = o.dbSize ?? 34_189_312;
    this.entriesPerMs = (o.entriesPerSecond ?? 12) / 1000;
    this.electionTimeout = o.electionTimeoutMs ?? [1000, 2000];
    this.restartMs = o.restartMs ?? 8000;
    const running = new Set(o.running ?? o.members.map((m) => m.node));
    for (const m of o.members) {
      const idHex = (m.id ?? firstNonZeroHex(o.rng)).toLowerCase();
      this.byNode.set(m.node, {
        id: BigInt('0x' + idHex),
        idHex: BigInt('0x' + idHex).toString(16),
        name: m.name ?? `${m.node}-${o.rng.hex(8)}`,
        node: m.node,
        ip: m.ip,
        running: running.has(m.node),
        term: this.term,
        index: this.baseIndex,
      });
    }
    this.hadQuorum = this.runningCount() >= this.quorum();
    const leader = o.leader ?? o.members[0]?.node;
    if (leader && this.hadQuorum && this.byNode.get(leader)?.running) {
      this.leaderNode = leader;
      this.since = o.clock.now();
    } else {
      this.maybeScheduleElection();
    }
  }

  // ---- reads -------------------------------------------------------------------------

  quorum(): number {
    return Math.floor(this.byNode.size / 2) + 1;
  }

  hasQuorum(): boolean {
    return this.runningCount() >= this.quorum();
  }

  members(): EtcdMemberView[] {
    return [...this.byNode.values()].map((m) => this.view(m));
  }

  member(node: string): EtcdMemberView | undefined {
    const m = this.byNode.get(node);
    return m ? this.view(m) : undefined;
  }

  memberById(idHex: string): EtcdMemberView | undefined {
    const id = parseHexId(idHex);
    if (id === undefined) return undefined;
    for (const m of this.byNode.values()) if (m.id === id) return this.view(m);
    return undefined;
  }

  leader(): EtcdMemberView | undefined {
    const m = this.leaderNode ? this.byNode.get(this.leaderNode) : undefined;
    return m ? this.view(m) : undefined;
  }

  /** The Status RPC answered by the member on `node` (undefined: not reachable). */
  status(node: string): EtcdStatus | undefined {
    const m = this.byNode.get(node);
    if (!m || !m.running) return undefined;
    const v = this.view(m);
    const leader = this.leader();
    const index = v.index;
    return {
      clusterId: this.clusterId,
      memberId: m.id,
      revision: this.revisionAt(index),
      raftTerm: v.term,
      version: this.version,
      dbSize: this.dbSize + (Number(m.id % 7n) * 4096),
      dbSizeInUse: Math.round(this.dbSize * 0.62),
      leader: leader ? leader.id : 0n,
      raftIndex: index,
      raftAppliedIndex: index,
      errors: leader ? [] : ['etcdserver: no leader'],
      isLearner: false,
    };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- changes -----------------------------------------------------------------------

  /** The etcd process on `node` comes up (its node finished booting). */
  start(node: string): void {
    const m = this.byNode.get(node);
    if (!m || m.running || m.blocked) return;
    m.running = true;
    if (this.leaderNode) m.term = this.term;
    this.o.events.record({ type: 'etcd.member', node, detail: 'started', object: m.name });
    this.afterMembershipChange();
  }

  /**
   * The etcd process on `node` stops. A clean stop (OS shutdown, pod deletion) of the
   * leader first hands leadership to another member, as etcd does on SIGTERM; a power cut
   * leaves the others to elect after the election timeout.
   */
  stop(node: string, opts: { graceful: boolean }): void {
    const m = this.byNode.get(node);
    if (!m || !m.running) return;
    if (this.leaderNode === node && opts.graceful) {
      const others = this.runningMembers().filter((x) => x.node !== node);
      if (others.length > 0) this.setLeader(this.mostUpToDate(others).node, 'transfer on shutdown');
    }
    m.index = this.view(m).index;
    m.term = this.view(m).term;
    m.running = false;
    this.o.events.record({ type: 'etcd.member', node, detail: 'stopped', object: m.name });
    if (this.leaderNode === node) this.setLeader(undefined, 'leader stopped');
    this.afterMembershipChange();
  }

  /** The member cannot join any more (its node came back with another IP). */
  block(node: string, reason: string): void {
    const m = this.byNode.get(node);
    if (!m) return;
    m.blocked = reason;
    if (m.running) this.stop(node, { graceful: false });
  }

  /** What deleting the etcd-<node> pod does: the member restarts (leadership moves if it led). */
  restart(node: string): void {
    const m = this.byNode.get(node);
    if (!m || !m.running) return;
    this.stop(node, { graceful: true });
    this.o.timers.after(this.restartMs, () => this.start(node));
  }

  /** `etcdctl move-leader` sent to the member on `via`. */
  moveLeader(via: string, targetHex: string): MoveLeaderResult {
    const at = this.byNode.get(via);
    if (!at || !at.running) return { ok: false, error: 'context deadline exceeded' };
    if (this.leaderNode !== via) return { ok: false, error: 'etcdserver: not leader' };
    const target = this.memberById(targetHex);
    if (!target || target.node === via) return { ok: false, error: 'etcdserver: bad leader transferee' };
    const t = this.byNode.get(target.node)!;
    if (!t.running) return { ok: false, error: 'etcdserver: request timed out, leader transfer took too long' };
    const from = this.view(at);
    this.setLeader(t.node, 'move-leader');
    return { ok: true, from, to: this.view(t) };
  }

  /** A leader change nobody asked for (fault injection): to `node` or another member. */
  forceLeaderChange(node?: string): boolean {
    if (!this.leaderNode) return false;
    const others = this.runningMembers().filter((m) => m.node !== this.leaderNode);
    const target = node ? others.find((m) => m.node === node) : others.length ? this.o.rng.pick(others) : undefined;
    if (!target) return false;
    this.setLeader(target.node, 'leader change fault');
    return true;
  }

  stopTimers(): void {
    this.cancelElection?.();
  }

  // ---- internals ---------------------------------------------------------------------

  private view(m: Member): EtcdMemberView {
    const inCluster = m.running && this.leaderNode !== undefined;
    return {
      id: m.id,
      idHex: m.idHex,
      name: m.name,
      node: m.node,
      ip: m.ip,
      peerURL: `https://${m.ip}:2380`,
      clientURL: `https://${m.ip}:2379`,
      running: m.running,
      ...(m.blocked ? { blocked: m.blocked } : {}),
      term: inCluster ? this.term : m.term,
      index: inCluster ? this.committed() : m.index,
      isLeader: this.leaderNode === m.node,
    };
  }

  private committed(now = this.o.clock.now()): number {
    return this.since === undefined ? this.baseIndex : this.baseIndex + Math.floor((now - this.since) * this.entriesPerMs);
  }

  private revisionAt(index: number): number {
    return this.baseRevision + Math.floor((index - (this.o.index ?? 6_538_756)) * 0.8);
  }

  private runningMembers(): Member[] {
    return [...this.byNode.values()].filter((m) => m.running);
  }

  private runningCount(): number {
    let n = 0;
    for (const m of this.byNode.values()) if (m.running) n++;
    return n;
  }

  private mostUpToDate(candidates: Member[]): Member {
    const idx = (m: Member) => this.view(m).index;
    const best = Math.max(...candidates.map(idx));
    return this.o.rng.pick(candidates.filter((m) => idx(m) === best));
  }

  private setLeader(node: string | undefined, reason: string): void {
    const now = this.o.clock.now();
    const from = this.leaderNode;
    // Freeze what every member has reached under the old reign.
    for (const m of this.byNode.values()) {
      if (m.running) {
        const v = this.view(m);
        m.index = v.index;
        m.term = v.term;
      }
    }
    this.baseIndex = this.committed(now);
    if (node) {
      const maxTerm = Math.max(this.term, ...this.runningMembers().map((m) => m.term));
      this.term = maxTerm + 1;
      this.baseIndex = Math.max(this.baseIndex, ...this.runningMembers().map((m) => m.index)) + 1;
      this.since = now;
      this.leaderNode = node;
    } else {
      this.since = undefined;
      this.leaderNode = undefined;
    }
    if (node !== from) {
      this.o.events.record({
        type: 'etcd.leader',
        ...(node ? { node } : {}),
        detail: node ? reason : `no leader (${reason})`,
        data: { term: this.term, from: from ?? null },
      });
    }
    this.notify();
  }

  private afterMembershipChange(): void {
    const quorum = this.hasQuorum();
    if (quorum !== this.hadQuorum) {
      this.o.events.record({ type: quorum ? 'etcd.quorum-regained' : 'etcd.quorum-lost', detail: `${this.runningCount()}/${this.byNode.size} members running` });
      this.hadQuorum = quorum;
    }
    if (!quorum && this.leaderNode) {
      const old = this.byNode.get(this.leaderNode)!;
      this.setLeader(undefined, 'quorum lost');
      // The API server kept proposing to the old leader: it holds entries nobody else has.
      old.index += 1;
    }
    this.maybeScheduleElection();
    this.notify();
  }

  private maybeScheduleElection(): void {
    if (this.leaderNode || !this.hasQuorum()) {
      this.cancelElection?.();
      this.cancelElection = undefined;
      return;
    }
    if (this.cancelElection) return;
    const [lo, hi] = this.electionTimeout;
    this.cancelElection = this.o.timers.after(lo + this.o.rng.next() * (hi - lo), () => {
      this.cancelElection = undefined;
      if (this.leaderNode || !this.hasQuorum()) return;
      this.setLeader(this.mostUpToDate(this.runningMembers()).node, 'election');
    });
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

export function parseHexId(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,16}$/.test(s)) return undefined;
  return BigInt('0x' + s);
}

function firstNonZeroHex(rng: Rng): string {
  // etcd ids are random uint64; a leading zero nibble would print shorter than 16 digits
  return (rng.int(1, 15)).toString(16) + rng.hex(15);
}

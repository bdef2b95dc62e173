import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../src/common/clock.js';
import { Etcdctl } from '../../../src/common/harvester.js';
import { Timers } from '../../../src/twin/controllers/timers.js';
import { runEtcdctl } from '../../../src/twin/etcd/etcdctl.js';
import { EtcdModel } from '../../../src/twin/etcd/model.js';
import { EventLog } from '../../../src/twin/events.js';
import { Rng } from '../../../src/twin/scenario/rng.js';

const members = ['harv41', 'harv42', 'harv43'].map((node, i) => ({ node, ip: `192.168.122.${141 + i}` }));
let timers: Timers | undefined;
afterEach(() => timers?.stop());

function model(leader = 'harv41') {
  const clock = new ScaledClock(50_000);
  timers = new Timers(clock);
  const events = new EventLog(clock);
  const etcd = new EtcdModel({ members, clock, timers, rng: new Rng(3), events, leader, electionTimeoutMs: [1000, 2000] });
  return { etcd, events, clock };
}

async function until(pred: () => boolean, wallMs = 2000): Promise<void> {
  const end = Date.now() + wallMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('etcd model', () => {
  it('keeps the leader to the end in the seed order and elects it again first on restart', async () => {
    const { etcd, events } = model('harv41');
    etcd.stop('harv42', { graceful: true });
    expect(etcd.leader()?.node).toBe('harv41');
    etcd.stop('harv43', { graceful: true });
    expect(etcd.leader()).toBeUndefined();
    expect(events.last({ type: 'etcd.quorum-lost' })).toBeDefined();
    etcd.stop('harv41', { graceful: true });

    etcd.start('harv41');
    await new Promise((r) => setTimeout(r, 60)); // 3000 modelled s: no election without quorum
    expect(etcd.leader()).toBeUndefined();
    etcd.start('harv43');
    await until(() => etcd.leader() !== undefined);
    // the last leader has the longest log, so it wins
    expect(etcd.leader()?.node).toBe('harv41');
    expect(events.last({ type: 'etcd.quorum-regained' })).toBeDefined();
  });

  it('hands leadership over when the leader shuts down cleanly and keeps a quorum', () => {
    const { etcd } = model('harv41');
    const term = etcd.leader()!.term;
    etcd.stop('harv41', { graceful: true });
    expect(['harv42', 'harv43']).toContain(etcd.leader()?.node);
    expect(etcd.leader()!.term).toBe(term + 1);
  });

  it('elects after the timeout when the leader loses power', async () => {
    const { etcd } = model('harv41');
    etcd.stop('harv41', { graceful: false });
    expect(etcd.leader()).toBeUndefined();
    await until(() => etcd.leader() !== undefined);
    expect(etcd.leader()?.node).not.toBe('harv41');
  });

  it('reports no leader and fails cluster commands without quorum', () => {
    const { etcd } = model('harv41');
    etcd.stop('harv42', { graceful: true });
    etcd.stop('harv43', { graceful: true });
    const s = runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'status', '-w', 'json', ...Etcdctl.flags]);
    expect(s.stdout).toContain('"errors":["etcdserver: no leader"]');
    expect(s.stdout).not.toContain('"leader"');
    const c = runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'status', '--cluster', ...Etcdctl.flags]);
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toBe('Error: failed to fetch endpoints from etcd cluster member list: context deadline exceeded\n');
    const h = runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'health', ...Etcdctl.flags]);
    expect(h.exitCode).toBe(1);
    expect(h.stderr).toContain('127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded');
    expect(h.stderr).toContain('Error: unhealthy cluster');
  });

  it('lists a stopped member as unreachable in endpoint status --cluster', () => {
    const { etcd } = model('harv41');
    etcd.stop('harv43', { graceful: true });
    const r = runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'status', '--cluster', ...Etcdctl.flags]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Failed to get the status of endpoint https://192.168.122.143:2379 (context deadline exceeded)');
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('restarts a member whose pod was deleted, moving leadership off it', async () => {
    const { etcd } = model('harv43');
    etcd.restart('harv43');
    expect(etcd.leader()?.node).not.toBe('harv43');
    expect(etcd.member('harv43')?.running).toBe(false);
    await until(() => etcd.member('harv43')!.running);
    expect(etcd.leader()?.node).not.toBe('harv43');
  });

  it('keeps a blocked member (changed IP) out of the cluster', () => {
    const { etcd } = model('harv41');
    etcd.block('harv42', 'peer URL mismatch');
    etcd.start('harv42');
    expect(etcd.member('harv42')?.running).toBe(false);
  });

  it('changes leader on a fault', () => {
    const { etcd } = model('harv41');
    expect(etcd.forceLeaderChange('harv43')).toBe(true);
    expect(etcd.leader()?.node).toBe('harv43');
  });

  it('advances the raft index with time while there is a leader', async () => {
    const clock = new ScaledClock(50_000);
    timers = new Timers(clock);
    const etcd = new EtcdModel({ members, clock, timers, rng: new Rng(1), events: new EventLog(clock), entriesPerSecond: 10 });
    const i0 = etcd.leader()!.index;
    await new Promise((r) => setTimeout(r, 20)); // ~1000 modelled s
    expect(etcd.leader()!.index).toBeGreaterThan(i0 + 1000);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../src/common/clock.js';
import { Etcdctl } from '../../../src/common/harvester.js';
import { Timers } from '../../../src/twin/controllers/timers.js';
import { runEtcdctl } from '../../../src/twin/etcd/etcdctl.js';
import { humanizeBytes, renderTable } from '../../../src/twin/etcd/format.js';
import { EtcdModel } from '../../../src/twin/etcd/model.js';
import { EventLog } from '../../../src/twin/events.js';
import { Rng } from '../../../src/twin/scenario/rng.js';

const seedMembers = [
  { node: 'harv41', ip: '192.168.122.141', id: 'c70780b7862269c9', name: 'harv41-1a2b3c4d' },
  { node: 'harv42', ip: '192.168.122.142', id: 'db04095b49eb5352', name: 'harv42-2b3c4d5e' },
  { node: 'harv43', ip: '192.168.122.143', id: 'c27585769b2ce977', name: 'harv43-3c4d5e6f' },
];

let timers: Timers | undefined;
afterEach(() => timers?.stop());

function model(over: Partial<ConstructorParameters<typeof EtcdModel>[0]> = {}) {
  const clock = new ScaledClock(100_000);
  timers = new Timers(clock);
  const events = new EventLog(clock);
  const etcd = new EtcdModel({ members: seedMembers, clock, timers, rng: new Rng(7), events, term: 45, index: 6538756, dbSize: 34_000_000, entriesPerSecond: 0, clusterId: 'a1b2c3d4e5f60718', ...over });
  return { etcd, events, clock };
}

const seedCmd = ['env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags];

describe('etcdctl output formats', () => {
  it('renders endpoint status as the seed shows it', () => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv41', seedCmd);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        '+------------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
        '|           ENDPOINT           |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |',
        '+------------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
        '| https://192.168.122.141:2379 | c70780b7862269c9 |   3.5.9 |   34 MB |      true |      false |        45 |    6538756 |            6538756 |        |',
        '| https://192.168.122.142:2379 | db04095b49eb5352 |   3.5.9 |   34 MB |     false |      false |        45 |    6538756 |            6538756 |        |',
        '| https://192.168.122.143:2379 | c27585769b2ce977 |   3.5.9 |   34 MB |     false |      false |        45 |    6538756 |            6538756 |        |',
        '+------------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
        '',
      ].join('\n'),
    );
  });

  it('prints uint64 ids exactly in JSON, one compact line', () => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv42', ['etcdctl', 'endpoint', 'status', '--cluster', '-w', 'json', ...Etcdctl.flags]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`"member_id":${BigInt('0xc70780b7862269c9').toString()}`);
    expect(r.stdout).toContain(`"leader":${BigInt('0xc70780b7862269c9').toString()}`);
    expect(r.stdout).toMatch(/^\[\{"Endpoint":"https:\/\/192\.168\.122\.141:2379","Status":\{"header":\{"cluster_id":\d+,"member_id":\d+,"revision":\d+,"raft_term":45\},"version":"3\.5\.9","dbSize":\d+,"leader":\d+,"raftIndex":6538756,"raftTerm":45,"raftAppliedIndex":6538756,"dbSizeInUse":\d+\}\}/);
  });

  it('lists members in table, simple and hex JSON', () => {
    const { etcd } = model();
    const t = runEtcdctl(etcd, 'harv41', ['etcdctl', 'member', 'list', '-w', 'table', ...Etcdctl.flags]);
    expect(t.stdout.split('\n')[1]).toBe('|        ID        | STATUS  |      NAME       |          PEER ADDRS          |         CLIENT ADDRS         | IS LEARNER |');
    const s = runEtcdctl(etcd, 'harv41', ['etcdctl', 'member', 'list', ...Etcdctl.flags]);
    expect(s.stdout.split('\n')[0]).toBe('c70780b7862269c9, started, harv41-1a2b3c4d, https://192.168.122.141:2380, https://192.168.122.141:2379, false');
    const h = runEtcdctl(etcd, 'harv41', ['etcdctl', 'member', 'list', '-w', 'json', '--hex', ...Etcdctl.flags]);
    expect(h.stdout).toContain('"ID":"c70780b7862269c9"');
    expect(h.stdout).toContain('"clientURLS":["https://192.168.122.141:2379"]');
  });

  it('checks health in every format', () => {
    const { etcd } = model();
    const s = runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'health', '--cluster', ...Etcdctl.flags]);
    expect(s.exitCode).toBe(0);
    expect(s.stdout).toMatch(/^https:\/\/192\.168\.122\.141:2379 is healthy: successfully committed proposal: took = [\d.]+ms$/m);
    const j = JSON.parse(runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'health', '-w', 'json', ...Etcdctl.flags]).stdout);
    expect(j).toEqual([{ endpoint: '127.0.0.1:2379', health: true, took: expect.stringMatching(/ms$/) }]);
    expect(runEtcdctl(etcd, 'harv41', ['etcdctl', 'endpoint', 'health', '-w', 'table', ...Etcdctl.flags]).stdout).toContain('|    ENDPOINT    | HEALTH |');
  });

  it.each([
    { name: 'missing TLS flags', cmd: ['etcdctl', 'member', 'list'], code: 1, err: 'Error: context deadline exceeded' },
    { name: 'a wrong cert path', cmd: ['etcdctl', 'member', 'list', '--cacert', '/tmp/ca.crt', '--cert', Etcdctl.flags[3], '--key', Etcdctl.flags[5]], code: 128, err: 'Error: open /tmp/ca.crt: no such file or directory' },
    { name: 'an unknown command', cmd: ['etcdctl', 'frobnicate'], code: 1, err: 'Error: unknown command "frobnicate" for "etcdctl"' },
    { name: 'an unknown output format', cmd: ['etcdctl', 'member', 'list', '-w', 'xml'], code: 4, err: 'Error: unsupported output format: xml' },
    { name: 'another binary', cmd: ['ls', '/'], code: 126, err: 'executable file not found' },
  ])('fails like etcdctl for $name', ({ cmd, code, err }) => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv41', cmd);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toContain(err);
  });

  it('formats sizes like go-humanize and pads headers like tablewriter', () => {
    expect(humanizeBytes(34_189_312)).toBe('34 MB');
    expect(humanizeBytes(5_368_709_120)).toBe('5.4 GB');
    expect(humanizeBytes(9)).toBe('9 B');
    expect(renderTable(['a_b'], [['xyzw']]).split('\n')[1]).toBe('| A B  |');
  });
});

describe('move-leader', () => {
  const move = (target: string, extra: string[] = []) => ['etcdctl', ...extra, 'move-leader', target, ...Etcdctl.flags];

  it('moves leadership when sent to the leader, raising the term', () => {
    const { etcd, events } = model();
    const r = runEtcdctl(etcd, 'harv41', move('db04095b49eb5352'));
    expect(r).toEqual({ stdout: 'Leadership transferred from c70780b7862269c9 to db04095b49eb5352\n', stderr: '', exitCode: 0 });
    expect(etcd.leader()?.node).toBe('harv42');
    expect(etcd.leader()?.term).toBe(46);
    expect(events.last({ type: 'etcd.leader' })?.node).toBe('harv42');
  });

  it('refuses from a follower with etcd’s own error', () => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv42', move('db04095b49eb5352'));
    expect(r.exitCode).toBe(128);
    expect(r.stderr).toBe('Error: no leader endpoint given at [127.0.0.1:2379]\n');
    expect(etcd.leader()?.node).toBe('harv41');
  });

  it('works from a follower given the leader in --endpoints', () => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv42', move('c27585769b2ce977', ['--endpoints', 'https://192.168.122.142:2379,https://192.168.122.141:2379']));
    expect(r.exitCode).toBe(0);
    expect(etcd.leader()?.node).toBe('harv43');
  });

  it.each([
    { target: 'zz', code: 128, err: 'invalid syntax' },
    { target: '1234', code: 1, err: 'etcdserver: bad leader transferee' },
    { target: 'c70780b7862269c9', code: 1, err: 'etcdserver: bad leader transferee' },
  ])('rejects target $target', ({ target, code, err }) => {
    const { etcd } = model();
    const r = runEtcdctl(etcd, 'harv41', move(target));
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toContain(err);
  });
});

// The network re-check on the twin, over real SSH to its in-process SSH fronts answering
// from the node-network model: the shutdown records each node's own view, the restart
// checks the first etcd node before the others boot, then the other etcd nodes, then the
// workers. A moved site (wrong gateway, DNS failing, clock skew, a missing VLAN interface)
// stops the restart naming node and check and powers nothing else on; fixing it and
// resuming goes on; --skip-net-check goes on deliberately; --dry-run shows the checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kinds } from '../../src/common/harvester.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { SshNetCheck } from '../../src/netcheck/port.js';
import { loadInventory } from '../../src/power/inventory.js';
import { Facts } from '../../src/runbook/facts.js';
import { restartRunbook, shutdownRunbook } from '../../src/runbook/index.js';
import { netCheckEtcdMembers, netCheckLeader, netCheckWorkers } from '../../src/runbook/restart/net-check.js';
import { recordNodeNetworks } from '../../src/runbook/shutdown/net-baseline.js';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { TwinNodeNetwork } from '../../src/twin/node-network/model.js';
import { insertAfter, startExtrasBed, type ExtrasBed } from './extras-bed.js';

const shutdownRb = insertAfter(shutdownRunbook, [['shutdown.record-network', [recordNodeNetworks]]]);
const restartRb = insertAfter(restartRunbook, [
  ['restart.power-on-leader', [netCheckLeader]],
  ['restart.power-on-etcd-members', [netCheckEtcdMembers]],
  ['restart.power-on-workers', [netCheckWorkers]],
]);

describe('network re-check across a restart', () => {
  let x: ExtrasBed;
  let fronts: PowerFronts;
  let net: TwinNodeNetwork;
  let port: SshNetCheck;
  let dir: string;
  let shutdownRun = '';
  let restartDir = '';
  let leader = '';
  let members: string[] = [];
  let workers: string[] = [];

  beforeAll(async () => {
    x = await startExtrasBed({ rancher: false });
    dir = mkdtempSync(join(tmpdir(), 'fallow-netbed-'));
    net = new TwinNodeNetwork(x.bed.twin.api);
    fronts = await startPowerFronts(x.bed.twin.power, x.bed.twin.scenario.nodes.map((n) => ({ name: n.name })), { dir, bmc: 'none', sshCommands: net.handler });
    port = new SshNetCheck(await loadInventory(fronts.inventoryPath), { connectTimeoutMs: 3_000 });
    // the scenario's VM cluster network "data" (VlanConfig data-all-nodes, uplink eno2) is what a worker loses below
    // Harvester's containerd-registry setting carries registry credentials: only hosts may be used
    const registry = JSON.stringify({ Mirrors: { 'docker.io': { Endpoints: ['https://registry.example.com:5000'] } }, Configs: { 'registry.example.com:5000': { Auth: { Username: 'u', Password: 'never-in-any-record' } } } });
    if (await x.bed.twin.api.get(Kinds.Setting, undefined, 'containerd-registry')) await x.bed.twin.api.patch(Kinds.Setting, undefined, 'containerd-registry', { value: registry });
    else await x.bed.twin.api.create({ ...Kinds.Setting, metadata: { name: 'containerd-registry' }, value: registry });
  });
  afterAll(async () => {
    await fronts?.stop();
    await x?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records each node\'s own network at shutdown', async () => {
    const r = await x.run(shutdownRb, { netCheck: port });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    shutdownRun = r.runId;
    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    const nn = facts.get(Facts.nodeNetworks.key) as { nodes: Record<string, { gateway: string; interfaces: { name: string }[] }>; unread: Record<string, string>; vlanConfigNodes: Record<string, string[]> };
    expect(nn.unread).toEqual({});
    expect(nn.vlanConfigNodes['data-all-nodes']).toEqual(expect.arrayContaining(x.bed.twin.scenario.nodes.filter((n) => n.role === 'worker').map((n) => n.name)));
    expect(Object.keys(nn.nodes).sort()).toEqual(x.bed.twin.scenario.nodes.map((n) => n.name).sort());
    const any = Object.values(nn.nodes)[0]!;
    expect(any.gateway).toMatch(/\.1$/);
    const etcd = facts.get(Facts.etcd.key) as { leader: string; shutdownOrder: string[] };
    leader = etcd.leader;
    members = [...etcd.shutdownOrder].reverse().slice(1);
    workers = x.bed.twin.scenario.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
    expect(nn.nodes[workers[0]!]!.interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['mgmt-br', 'data-br', 'data-bo', 'eno2']));
    expect(members.length).toBeGreaterThan(1);
    expect(workers.length).toBeGreaterThan(0);
  });

  it('shows the checks with --dry-run', async () => {
    const before = x.bed.events.length;
    const r = await x.run(restartRb, { parentRunId: shutdownRun, netCheck: port, engine: { dryRun: true, only: ['restart.net-check-leader', 'restart.net-check-workers'] } });
    expect(r.state).toBe('dry-run');
    const plans = x.bed.events.slice(before).filter((e) => e.type === 'plan') as { type: 'plan'; step: string; lines: string[] }[];
    const leaderLines = plans.find((p) => p.step === 'restart.net-check-leader')!.lines;
    expect(leaderLines).toHaveLength(1);
    expect(leaderLines[0]).toMatch(new RegExp(`^${leader}: IP [\\d.]+ on an interface; default gateway [\\d.]+ answers ping; DNS resolves 0\\.suse\\.pool\\.ntp\\.org, 1\\.suse\\.pool\\.ntp\\.org, registry\\.example\\.com, rancher\\.example\\.com; NTP synchronised, offset under 1 s; registry https://registry\\.example\\.com:5000 answers; interfaces mgmt-br(, data-br, data-bo, eno2)? present and not down$`));
    expect(plans.find((p) => p.step === 'restart.net-check-workers')!.lines).toHaveLength(workers.length);
    expect(JSON.stringify(plans)).not.toContain('never-in-any-record');
  });

  it('stops after the first etcd node boots when its gateway moved, powering nothing else on', async () => {
    net.setDrift(leader, { gateway: '10.99.0.1' });
    const r = await x.run(restartRb, { parentRunId: shutdownRun, netCheck: port });
    restartDir = r.runDir!;
    expect(r.state).not.toBe('completed');
    expect(r.message).toMatch(new RegExp(`the network of ${leader} is not as recorded before the shutdown: ${leader} gateway: default gateway is 10\\.99\\.0\\.1, it was [\\d.]+\\.1 before the shutdown`));
    expect(r.message).toMatch(/--skip-net-check/);
    for (const n of [...members, ...workers]) expect(x.bed.twin.power.state(n)).toBe('off');
    expect(x.bed.twin.power.state(leader)).toBe('on');
  });

  it('names DNS failing and clock skew on the other etcd nodes', async () => {
    net.clearDrift();
    net.setDrift(members[0]!, { dnsFails: true });
    net.setDrift(members[1]!, { clockOffsetSeconds: -95 });
    const r = await x.resume(restartRb, restartDir, { netCheck: port });
    expect(r.state).not.toBe('completed');
    expect(r.message).toContain(`${members[0]} dns: 0.suse.pool.ntp.org does not resolve`);
    expect(r.message).toContain(`${members[1]} ntp: clock offset -95.0 s exceeds 1 s (systemd-timesyncd)`);
    for (const n of workers) expect(x.bed.twin.power.state(n)).toBe('off');
  });

  it('names a missing VLAN interface on a worker', async () => {
    net.clearDrift();
    net.setDrift(workers[0]!, { missingInterfaces: ['data-br'] });
    const r = await x.resume(restartRb, restartDir, { netCheck: port });
    expect(r.state).not.toBe('completed');
    expect(r.message).toContain(`${workers[0]} vlan: interface data-br is missing`);
    const facts = replay(readJournal(join(restartDir, 'journal.jsonl')).records).facts;
    const checks = facts.get(Facts.netChecks.key) as Record<string, { check: string; ok: boolean }[]>;
    expect(checks[leader]!.every((c) => c.ok)).toBe(true);
    expect(checks[workers[0]!]!.some((c) => c.check === 'vlan' && !c.ok)).toBe(true);
  });

  it('goes on deliberately with --skip-net-check and completes', async () => {
    const r = await x.resume(restartRb, restartDir, { netCheck: port, options: { skipNetCheck: true, waveSize: 2 } });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    // the failed step is passed deliberately; steps not started yet are not enabled at all
    const checks0 = x.bed.events.filter((e) => e.type === 'check' && e.step === 'restart.net-check-workers');
    expect(checks0.at(-1)).toMatchObject({ done: true, detail: 'not checked: --skip-net-check' });
    const checks = replay(readJournal(join(restartDir, 'journal.jsonl')).records).facts.get(Facts.netChecks.key);
    expect(JSON.stringify(checks)).toContain('registry.example.com:5000');
    expect(JSON.stringify(checks)).not.toContain('never-in-any-record');
  });
});

// `fallow plan` against the full twin (scenarios/default.yaml and witness.yaml): the seed's
// cluster inventoried as the article describes it, preflight passing, the ordered plan,
// and the twin's request log proving plan changed nothing. The JSON run is a child process,
// as a user runs it; the table and the witness run call main() in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import type { Plan } from '../../src/cli/plan/plan.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { runCli } from '../helpers/cli.js';
import { runMain } from './run-main.js';

function writes(twin: Twin) {
  return (twin.server?.requestLog ?? []).filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.resource === 'selfsubjectaccessreviews'));
}

describe('fallow plan on the default twin', () => {
  let twin: Twin;
  let plan: Plan;
  let stdout: string;
  beforeAll(async () => {
    twin = await startTwin({ scenarioPath: 'default', scale: 200 });
    await twin.settle();
    const env = { KUBECONFIG: twin.kubeconfigPath, FALLOW_CLOCK: twin.clock.toEnv() };
    const json = await runCli(['plan', '-o', 'json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(ExitCode.ok);
    plan = JSON.parse(json.stdout) as Plan;
    const table = await runMain(['plan'], env);
    expect(table.code).toBe(ExitCode.ok);
    stdout = table.stdout;
  });
  afterAll(() => twin?.stop());

  it('identifies the cluster', () => {
    expect(plan.cluster).toMatchObject({ uid: twin.clusterUid, server: twin.url, harvesterVersion: 'v1.4.2' });
  });

  it('inventories nodes, etcd, VIP and settings as the seed asks (1.2, 4.2)', () => {
    const inv = plan.inventory;
    expect(inv.nodes.map((n) => `${n.name} ${n.controlPlane ? 'cp' : n.witness ? 'witness' : 'worker'} ${n.ip} ${n.ready}`)).toEqual([
      'harv2 worker 192.168.122.2 true',
      'harv41 cp 192.168.122.141 true',
      'harv42 cp 192.168.122.142 true',
      'harv43 cp 192.168.122.143 true',
    ]);
    expect(inv.etcd.leader).toBe('harv41');
    expect(inv.etcd.members.map((m) => [m.node, m.memberId]).sort()).toEqual([
      ['harv41', 'c70780b7862269c9'],
      ['harv42', 'db04095b49eb5352'],
      ['harv43', 'c27585769b2ce977'],
    ]);
    expect(inv.vip.externalIp).toBe('192.168.122.144');
    expect(Object.keys(inv.settings)).toEqual(expect.arrayContaining(['server-version', 'ntp-servers', 'backup-target']));
  });

  it('finds the addons to disable, Rancher, VMs by kind and the volumes (3.1–3.5)', () => {
    const inv = plan.inventory;
    expect(inv.addons.filter((a) => a.enabled && a.holdsPvcs).map((a) => a.name).sort()).toEqual(['rancher-monitoring', 'rancher-vcluster']);
    expect(inv.rancher).toMatchObject({ imported: true });
    expect(inv.rancher.deployments.map((d) => [d.name, d.scaleAvailable])).toEqual([
      ['rancher', '3'],
      ['cattle-cluster-agent', '2'],
    ]);
    expect(inv.vms.traditional.map((v) => v.name).sort()).toEqual(['archive-01', 'build-01', 'db-01', 'legacy-01', 'vm1', 'web-01', 'web-02']);
    expect(inv.vms.downstream).toHaveLength(5);
    expect(new Set(inv.vms.downstream.map((v) => v.guestCluster))).toEqual(new Set(['rke2-prod', 'rke2-dev']));
    expect(inv.volumes.total).toBeGreaterThan(0);
    expect(inv.volumes.faulted).toEqual([]);
  });

  it('passes preflight and lists every step in order with its seed section', () => {
    expect(plan.ok).toBe(true);
    expect(plan.preflight.filter((p) => p.status === 'fail')).toEqual([]);
    const shutdown = plan.runbooks.find((r) => r.name === 'shutdown')!;
    expect(shutdown.steps.map((s) => s.seed)).toEqual(expect.arrayContaining(['1.1', '1.2', '3.1', '3.2', '3.3', '3.5', '4.1', '4.2', '4.3']));
    const restart = plan.runbooks.find((r) => r.name === 'restart')!;
    expect(restart.steps[0]?.seed).toBe('5.1');
    expect(stdout).toMatch(/Plan: shutdown/);
    expect(stdout).toMatch(/Preflight passed\./);
  });

  it('made no write request (only access reviews)', () => {
    expect(writes(twin)).toEqual([]);
    expect((twin.server?.requestLog ?? []).filter((r) => r.resource === 'selfsubjectaccessreviews').length).toBeGreaterThan(10);
  });
});

describe('fallow plan on the witness twin', () => {
  it('notes that the leader sits on the witness node and will be moved (seed 4.2)', async () => {
    const twin = await startTwin({ scenarioPath: 'witness', scale: 200 });
    try {
      await twin.settle();
      const r = await runMain(['plan', '-o', 'json'], { KUBECONFIG: twin.kubeconfigPath, FALLOW_CLOCK: twin.clock.toEnv() });
      expect(r.code).toBe(ExitCode.ok);
      const plan = JSON.parse(r.stdout) as Plan;
      const witness = plan.inventory.nodes.find((n) => n.witness)!;
      expect(plan.inventory.etcd.leader).toBe(witness.name);
      expect(plan.preflight.find((p) => p.id === 'etcd')?.detail).toMatch(/a witness node: it will be moved first, seed 4\.2/);
      expect(writes(twin)).toEqual([]);
    } finally {
      await twin.stop();
    }
  });
});

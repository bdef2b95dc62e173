import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../../src/common/errors.js';
import { generateScenario } from '../../../src/twin/scenario/generate.js';
import { loadScenarioFile, parseScenario } from '../../../src/twin/scenario/load.js';

describe('scenario files', () => {
  it('loads the seed cluster and its witness variant', async () => {
    const d = await loadScenarioFile('default');
    expect(d.nodes.map((n) => `${n.name}:${n.role}:${n.ip}`)).toEqual(['harv41:control-plane:192.168.122.141', 'harv42:control-plane:192.168.122.142', 'harv43:control-plane:192.168.122.143', 'harv2:worker:192.168.122.2']);
    expect(d.cluster.vip).toBe('192.168.122.144');
    expect(d.rancher).toMatchObject({ scaleAvailable: '3', agentScaleAvailable: '2', imported: true });
    expect(d.addons.filter((a) => a.enabled).map((a) => a.name)).toEqual(['rancher-monitoring', 'rancher-vcluster']);
    expect(d.vms.filter((v) => v.guestCluster).length).toBe(5);
    expect(new Set(d.vms.map((v) => v.runStrategy ?? (v.running ? 'running' : '')))).toEqual(new Set(['Always', 'RerunOnFailure', 'Manual', 'Halted', 'running']));
    const w = await loadScenarioFile('witness');
    expect(w.nodes.find((n) => n.name === 'harv43')?.role).toBe('witness');
    expect(w.etcd.leader).toBe('harv43');
    expect(w.vms.some((v) => v.node === 'harv43')).toBe(false);
  });

  const base = () => ({
    apiVersion: 'fallow.twin/v1',
    kind: 'Scenario',
    metadata: { name: 'x' },
    cluster: { vip: '10.0.0.9' },
    nodes: [{ name: 'n1', ip: '10.0.0.1', role: 'control-plane' }],
  });

  it.each([
    { name: 'a bad IP', edit: (s: Record<string, unknown>) => ((s.nodes as object[])[0] = { name: 'n1', ip: 'harv', role: 'control-plane' }), msg: 'nodes[0].ip: expected an IPv4 address like 192.168.122.141 (got "harv")' },
    { name: 'an unknown role', edit: (s: Record<string, unknown>) => ((s.nodes as object[])[0] = { name: 'n1', ip: '10.0.0.1', role: 'master' }), msg: 'nodes[0].role: ' },
    { name: 'a duplicate node', edit: (s: Record<string, unknown>) => (s.nodes as object[]).push({ name: 'n1', ip: '10.0.0.2', role: 'worker' }), msg: 'nodes[1].name: duplicate node name n1' },
    { name: 'a leader on a worker', edit: (s: Record<string, unknown>) => ((s.nodes as object[]).push({ name: 'w', ip: '10.0.0.2', role: 'worker' }), (s.etcd = { leader: 'w' })), msg: 'etcd.leader: must name a control-plane or witness node, got w' },
    { name: 'an unknown field', edit: (s: Record<string, unknown>) => (s.colour = 'blue'), msg: 'colour' },
    { name: 'a bad range', edit: (s: Record<string, unknown>) => (s.timing = { nodeBootSeconds: [300, 100] }), msg: 'timing.nodeBootSeconds: min must not exceed max' },
    { name: 'a VM on a missing node', edit: (s: Record<string, unknown>) => (s.vms = [{ name: 'v', node: 'nope' }]), msg: 'vms[0].node: no node named nope' },
  ])('rejects $name, naming the field', ({ edit, msg }) => {
    const s = base() as Record<string, unknown>;
    edit(s);
    let err: unknown;
    try {
      parseScenario(stringify(s), 'bad.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('bad.yaml is not a valid scenario');
    expect((err as Error).message).toContain(msg);
  });

  it('rejects another schema version with expected and found', () => {
    expect(() => parseScenario(stringify({ ...base(), apiVersion: 'fallow.twin/v0' }), 'old.yaml')).toThrow('old.yaml: apiVersion: expected "fallow.twin/v1", found "fallow.twin/v0"');
    expect(() => parseScenario('nodes: [', 'broken.yaml')).toThrow(/broken.yaml is not valid YAML/);
  });

  it('generates large clusters deterministically from a seed', () => {
    const a = generateScenario({ nodes: 20, vms: 5000, volumes: 1000, seed: 7 });
    const b = generateScenario({ nodes: 20, vms: 5000, volumes: 1000, seed: 7 });
    const c = generateScenario({ nodes: 20, vms: 5000, volumes: 1000, seed: 8 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.nodes).toHaveLength(20);
    expect(a.nodes.filter((n) => n.role === 'control-plane')).toHaveLength(3);
    expect(a.vms).toHaveLength(5000);
    expect(a.vms.filter((v) => v.disks.length > 0)).toHaveLength(1000);
    expect(a.vms.filter((v) => v.guestCluster).every((v) => v.runStrategy === 'RerunOnFailure')).toBe(true);
    expect(generateScenario({ nodes: 5, witness: true }).nodes.find((n) => n.role === 'witness')?.name).toBe('node03');
  });
});

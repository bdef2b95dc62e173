// The benchmark's scenarios: the two built-in ones (scenarios/default.yaml, witness.yaml)
// and generated large clusters — 20 nodes (3 control-plane, 17 workers), N VMs of which
// one in ten belongs to a Rancher downstream cluster, a mix of run strategies as on a real
// site, and one Longhorn volume per VM up to a volume budget (the rest boot from container
// disks). Deterministic for a given size: names, placement and strategies come from the
// index, so runs compare.
import type { ScenarioInput } from '../src/twin/scenario/schema.js';

export interface LargeSpec {
  vms: number;
  volumes: number;
  nodes?: number;
}

const strategies = ['RerunOnFailure', 'Always', 'RerunOnFailure', 'Manual', 'Always'] as const;

export function largeScenario(spec: LargeSpec): ScenarioInput {
  const nodeCount = spec.nodes ?? 20;
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    name: i < 3 ? `cp${i + 1}` : `w${String(i - 2).padStart(2, '0')}`,
    ip: `192.168.200.${11 + i}`,
    role: i < 3 ? ('control-plane' as const) : ('worker' as const),
  }));
  const vms = Array.from({ length: spec.vms }, (_, i) => {
    const downstream = i % 10 === 9;
    const node = nodes[i % nodeCount]!.name;
    const disks = i < spec.volumes ? [{ size: '20Gi', replicas: 3 }] : [];
    if (downstream) {
      const cluster = `ds${(i / 10) % 8 | 0}`;
      return { name: `${cluster}-pool-m${i}`, namespace: 'downstream', guestCluster: cluster, runStrategy: 'RerunOnFailure' as const, node, disks };
    }
    const runStrategy = strategies[i % strategies.length]!;
    return { name: `vm-${String(i).padStart(5, '0')}`, namespace: `team-${i % 12}`, runStrategy, ...(runStrategy === 'Manual' ? { state: 'Running' as const } : {}), node, disks };
  });
  return {
    apiVersion: 'fallow.twin/v1',
    kind: 'Scenario',
    metadata: { name: `large-${spec.vms}`, description: `${nodeCount} nodes, ${spec.vms} VMs, ${Math.min(spec.vms, spec.volumes)} volumes (bench)` },
    seed: 9000 + spec.vms,
    cluster: { vip: '192.168.200.10' },
    nodes,
    addons: [
      { name: 'rancher-monitoring', namespace: 'cattle-monitoring-system', chart: 'rancher-monitoring', enabled: true },
      { name: 'rancher-logging', namespace: 'cattle-logging-system', chart: 'rancher-logging', enabled: false },
    ],
    vms,
  };
}

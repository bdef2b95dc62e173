// Large clusters for benchmarks and scale tests: generateScenario({ nodes: 20, vms: 5000,
// volumes: 1000 }) builds a valid scenario deterministically from its seed — three
// control-plane nodes (or `controlPlane`), the rest workers, VMs spread over them with a
// share of node-driver machines, the first `volumes` VMs with a Longhorn disk each.
import { Rng } from './rng.js';
import { scenarioSchema, ScenarioApiVersion, type Scenario, type ScenarioInput } from './schema.js';

export interface GenerateOptions {
  nodes?: number;
  controlPlane?: number;
  witness?: boolean;
  vms?: number;
  /** VMs that get one Longhorn-backed disk (the others boot from a container disk). */
  volumes?: number;
  /** Share of VMs running at start (default 0.7). */
  running?: number;
  /** Share of VMs that are downstream-cluster machines (default 0.2). */
  nodeDriver?: number;
  seed?: number | string;
  /** Harvester's own pods (default true). */
  systemPods?: boolean;
  name?: string;
}

export function generateScenario(o: GenerateOptions = {}): Scenario {
  const rng = new Rng(o.seed ?? 1);
  const nNodes = Math.max(1, o.nodes ?? 20);
  const nCp = Math.min(nNodes, o.controlPlane ?? 3);
  const nodes: ScenarioInput['nodes'] = [];
  for (let i = 0; i < nNodes; i++) {
    const role = i < nCp ? (o.witness && i === nCp - 1 ? 'witness' : 'control-plane') : 'worker';
    nodes.push({ name: `node${String(i + 1).padStart(2, '0')}`, ip: `10.${20 + Math.floor((i + 1) / 250)}.0.${((i + 1) % 250) + 1}`, role, ageDays: 120 });
  }
  const hosts = nodes.filter((n) => n.role !== 'witness').map((n) => n.name);
  const nVms = o.vms ?? 100;
  const nVolumes = Math.min(nVms, o.volumes ?? Math.min(nVms, 100));
  const vms: NonNullable<ScenarioInput['vms']> = [];
  const clusters = Math.max(1, Math.ceil((nVms * (o.nodeDriver ?? 0.2)) / 10));
  for (let i = 0; i < nVms; i++) {
    const downstream = rng.next() < (o.nodeDriver ?? 0.2);
    // Rancher Manager keeps its machines running, so downstream VMs always run.
    const running = downstream || rng.next() < (o.running ?? 0.7);
    const strategy = downstream ? 'RerunOnFailure' : rng.pick(['Always', 'RerunOnFailure', 'RerunOnFailure', 'Manual'] as const);
    const name = downstream ? `c${rng.int(1, clusters)}-pool1-${rng.suffix(5)}-${rng.suffix(5)}` : `vm-${String(i + 1).padStart(5, '0')}`;
    vms.push({
      name,
      namespace: downstream ? 'downstream' : `tenant-${(i % 10) + 1}`,
      runStrategy: running ? strategy : 'Halted',
      node: running ? hosts[i % hosts.length] : undefined,
      ...(downstream ? { guestCluster: name.split('-')[0] } : {}),
      disks: i < nVolumes ? [{ size: `${rng.int(1, 8) * 10}Gi`, replicas: Math.min(3, hosts.length) }] : [],
      cpu: rng.pick([1, 2, 4]),
    });
  }
  const input: ScenarioInput = {
    apiVersion: ScenarioApiVersion,
    kind: 'Scenario',
    metadata: { name: o.name ?? `generated-${nNodes}n-${nVms}vm`, description: `Generated: ${nNodes} nodes, ${nVms} VMs, ${nVolumes} volumes` },
    seed: o.seed ?? 1,
    cluster: { vip: '10.19.255.10' },
    nodes,
    etcd: { leader: nodes[0]!.name },
    systemPods: o.systemPods ?? true,
    addons: [
      { name: 'rancher-monitoring', namespace: 'cattle-monitoring-system', chart: 'rancher-monitoring', enabled: true },
      { name: 'rancher-logging', namespace: 'cattle-logging-system', chart: 'rancher-logging', enabled: false },
    ],
    networks: [{ name: 'vm-net', namespace: 'default', vlan: 100 }],
    vms,
  };
  return scenarioSchema.parse(input);
}

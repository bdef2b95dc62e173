// What the shutdown records for the restart (design invariant 1: written to the journal
// before the act that destroys it). One key per fact, each with a zod schema so the restart
// reads back exactly what was written and refuses a journal that lacks or garbles it.
import { z } from 'zod';
import { FatalError } from '../common/errors.js';
import { RedactionStamp } from '../common/redaction.js';
import type { Json } from '../engine/types.js';

export const NodeFact = z.object({
  name: z.string(),
  ip: z.string(),
  mac: z.string().optional(),
  roles: z.array(z.string()),
  etcd: z.boolean(),
  witness: z.boolean(),
  controlPlane: z.boolean(),
});
export type NodeFact = z.infer<typeof NodeFact>;

export const NetworkFacts = z.object({
  nodes: z.array(NodeFact),
  vip: z.object({ configured: z.string().optional(), externalIp: z.string().optional(), mode: z.string().optional() }),
  settings: z.record(z.string(), z.string()),
  clusterNetworks: z.array(z.string()),
  vlanConfigs: z.array(z.object({ name: z.string(), clusterNetwork: z.string().optional(), nics: z.array(z.string()) })),
  vmNetworks: z.array(z.object({ namespace: z.string(), name: z.string(), vlan: z.number().optional() })),
  warnings: z.array(z.string()),
  /** How `settings` masked its secrets (../common/redaction.ts); absent: UID-salted, as before the key. */
  redaction: RedactionStamp.optional(),
});
export type NetworkFacts = z.infer<typeof NetworkFacts>;

export const VmFact = z.object({
  namespace: z.string(),
  name: z.string(),
  runStrategy: z.string().optional(),
  running: z.boolean().optional(), // spec.running, for VMs that use it instead of runStrategy
  vmiRan: z.boolean(),
  node: z.string().optional(),
  downstream: z.boolean(),
  guestCluster: z.string().optional(),
  priority: z.number(),
});
export type VmFact = z.infer<typeof VmFact>;

export const DeploymentScaleFact = z.object({
  namespace: z.string(),
  name: z.string(),
  present: z.boolean(),
  scaleAvailable: z.string().nullable(), // null: annotation absent
  replicas: z.number(),
});
export const RancherFacts = z.object({
  imported: z.boolean(),
  rancher: DeploymentScaleFact,
  agent: DeploymentScaleFact,
});
export type RancherFacts = z.infer<typeof RancherFacts>;

export const AddonRef = z.object({ namespace: z.string(), name: z.string() });
export const AddonFacts = z.object({
  enabled: z.array(AddonRef),
  toDisable: z.array(AddonRef.extend({ reason: z.string() })),
});
export type AddonFacts = z.infer<typeof AddonFacts>;

export const ScaledWorkload = z.object({ kind: z.enum(['Deployment', 'StatefulSet']), namespace: z.string(), name: z.string(), replicas: z.number() });
export const WorkloadFacts = z.object({ scaled: z.array(ScaledWorkload), left: z.array(z.string()) });

export const EtcdMemberFact = z.object({ node: z.string(), ip: z.string(), memberId: z.string(), isLeader: z.boolean(), witness: z.boolean() });
export const EtcdFacts = z.object({
  members: z.array(EtcdMemberFact),
  leader: z.string(), // node name of the leader that goes down last
  movedFrom: z.string().optional(), // leader was on this witness node and was moved
  shutdownOrder: z.array(z.string()), // etcd nodes, leader last
});
export type EtcdFacts = z.infer<typeof EtcdFacts>;

export const BundleFact = z.object({ name: z.string(), file: z.string(), bytes: z.number() });

export const BackupFacts = z.object({ backups: z.array(z.object({ vm: z.string(), namespace: z.string(), backup: z.string() })) });

// Rancher Manager's view (issue 12): the imported Harvester cluster and the downstream
// clusters whose machines are VMs on it, with their machine counts, so the restart can wait
// for the same clusters with the same number of machines.
export const DownstreamClusterFact = z.object({
  namespace: z.string(),
  name: z.string(),
  id: z.string().optional(),
  ready: z.boolean(),
  /** Machines Ready before the shutdown: the restart waits for as many. */
  readyMachines: z.number(),
  machines: z.array(z.object({ name: z.string(), vm: z.string().optional(), ready: z.boolean() })),
});
export type DownstreamClusterFact = z.infer<typeof DownstreamClusterFact>;
export const RancherManagerFacts = z.object({
  url: z.string(),
  harvester: z.object({ id: z.string(), displayName: z.string(), state: z.string() }),
  downstream: z.array(DownstreamClusterFact),
});
export type RancherManagerFacts = z.infer<typeof RancherManagerFacts>;

export const SnapshotRequestFact = z.object({
  namespace: z.string(),
  name: z.string(),
  /** spec.rkeConfig.etcdSnapshotCreate.generation before fallow asked. */
  baseGeneration: z.number(),
  /** The generation fallow sets: base + 1. */
  generation: z.number(),
  /** ETCDSnapshot names that existed before, so only new ones count. */
  before: z.array(z.string()),
});
export const DownstreamSnapshotFacts = z.object({ requests: z.array(SnapshotRequestFact) });
export type DownstreamSnapshotFacts = z.infer<typeof DownstreamSnapshotFacts>;
export const DownstreamSnapshotsTaken = z.array(z.object({ namespace: z.string(), name: z.string(), snapshots: z.array(z.string()) }));

/** Each node's network as the node itself showed it before the shutdown (over SSH). */
export const NodeNetBaselineFact = z.object({
  gateway: z.string().optional(),
  addresses: z.array(z.string()),
  interfaces: z.array(z.object({ name: z.string(), state: z.string() })),
});
export const NodeNetworkFacts = z.object({
  nodes: z.record(z.string(), NodeNetBaselineFact),
  /** Nodes that could not be read, with why (the restart checks them without a baseline). */
  unread: z.record(z.string(), z.string()),
  /** VlanConfig name → the nodes it applied to (from VlanStatus), for nodes without a baseline. */
  vlanConfigNodes: z.record(z.string(), z.array(z.string())).optional(),
});
export type NodeNetworkFacts = z.infer<typeof NodeNetworkFacts>;

export const NetCheckResultFact = z.object({ check: z.string(), target: z.string(), ok: z.boolean(), detail: z.string() });
export const NetCheckFacts = z.record(z.string(), z.array(NetCheckResultFact));

export const RancherManagerAfter = z.object({
  harvester: z.object({ id: z.string(), state: z.string() }),
  downstream: z.array(z.object({ namespace: z.string(), name: z.string(), ready: z.boolean(), readyMachines: z.number(), expectedMachines: z.number(), problem: z.string().optional() })),
});

/** Fact keys and their schemas: the restart's whole input. */
export const Facts = {
  identity: { key: 'cluster.identity', schema: z.object({ uid: z.string(), version: z.string().optional() }) },
  bundleBefore: { key: 'bundle.before', schema: BundleFact },
  network: { key: 'network', schema: NetworkFacts },
  backups: { key: 'backups', schema: BackupFacts },
  vms: { key: 'vms', schema: z.array(VmFact) },
  rancher: { key: 'rancher', schema: RancherFacts },
  addons: { key: 'addons', schema: AddonFacts },
  workloads: { key: 'workloads', schema: WorkloadFacts },
  etcd: { key: 'etcd', schema: EtcdFacts },
  workersOff: { key: 'nodes.workers-off', schema: z.array(z.string()) },
  etcdOff: { key: 'nodes.etcd-off', schema: z.array(z.string()) },
  bundleAfter: { key: 'bundle.after', schema: BundleFact },
  rancherManager: { key: 'rancher-manager', schema: RancherManagerFacts },
  downstreamSnapshots: { key: 'downstream.snapshots', schema: DownstreamSnapshotFacts },
  downstreamSnapshotsTaken: { key: 'downstream.snapshots.taken', schema: DownstreamSnapshotsTaken },
  nodeNetworks: { key: 'network.nodes', schema: NodeNetworkFacts },
  netChecks: { key: 'network.checks', schema: NetCheckFacts },
  rancherManagerAfter: { key: 'rancher-manager.after', schema: RancherManagerAfter },
} as const;

type FactDef<T> = { key: string; schema: z.ZodType<T> };

/** Reads a recorded fact; undefined when not recorded yet. A garbled value is fatal. */
export function readFact<T>(facts: ReadonlyMap<string, Json>, def: FactDef<T>): T | undefined {
  if (!facts.has(def.key)) return undefined;
  const parsed = def.schema.safeParse(facts.get(def.key));
  if (!parsed.success) {
    throw new FatalError(
      `recorded fact "${def.key}" does not match what this fallow version expects: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      'Use the fallow version that wrote the journal, or restore by hand from `fallow status -o json`',
    );
  }
  return parsed.data;
}

/** Reads a fact the step cannot go on without. */
export function requireFact<T>(facts: ReadonlyMap<string, Json>, def: FactDef<T>, neededBy: string): T {
  const v = readFact(facts, def);
  if (v === undefined) {
    throw new FatalError(`${neededBy} needs the recorded fact "${def.key}", and the journal does not have it`, 'Resume the shutdown that records it first (`fallow resume`)');
  }
  return v;
}

export function toJson(v: unknown): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

/** The before/after snapshots and the verification (report/ owns their schema). */
export const SnapshotFacts = {
  before: 'snapshot.before',
  after: 'snapshot.after',
  verification: 'verification',
} as const;

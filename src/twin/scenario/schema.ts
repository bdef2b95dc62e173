// The scenario file format (apiVersion fallow.twin/v1): the cluster a twin starts as —
// nodes, etcd, Rancher, addons, VMs and their disks, settings, networks — plus the modelled
// durations of everything that takes time, and faults. Validated with zod; a bad file gets
// an error naming the field path and what was expected (see load.ts).
import { z } from 'zod';
import { faultsSchema } from '../faults.js';

export const ScenarioApiVersion = 'fallow.twin/v1';

/** [min, max] modelled seconds; a single number means exactly that long. */
const range = z
  .union([z.number().nonnegative(), z.tuple([z.number().nonnegative(), z.number().nonnegative()])])
  .transform((v): [number, number] => (typeof v === 'number' ? [v, v] : v))
  .refine((v) => v[0] <= v[1], { message: 'min must not exceed max' });

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: 'expected an IPv4 address like 192.168.122.141' });
const dns1123 = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'expected a lower-case DNS-1123 name' });

export const timingSchema = z
  .object({
    nodeBootSeconds: range.default([180, 300]),
    nodeShutdownSeconds: range.default([20, 40]),
    nodeMonitorGraceSeconds: z.number().positive().default(40),
    podEvictionSeconds: z.number().nonnegative().default(300),
    podStartSeconds: range.default([5, 60]),
    podExitSeconds: range.default([1, 5]),
    vmBootSeconds: range.default([20, 60]),
    guestShutdownSeconds: range.default([30, 180]),
    volumeAttachSeconds: range.default([2, 6]),
    volumeDetachSeconds: range.default([2, 6]),
    replicaRebuildSeconds: range.default([120, 600]),
    addonEnableSeconds: range.default([60, 180]),
    addonDisableSeconds: range.default([30, 90]),
    bundleSeconds: range.default([60, 120]),
    backupSeconds: range.default([30, 120]),
    scaleAvailableDelaySeconds: range.default([2, 5]),
    rancherManagerDelaySeconds: range.default([15, 45]),
    vipDelaySeconds: range.default([5, 15]),
    etcdElectionSeconds: range.default([1, 2]),
    etcdRestartSeconds: z.number().nonnegative().default(8),
  })
  .strict();

export const nodeSchema = z
  .object({
    name: dns1123,
    ip: ipv4,
    role: z.enum(['control-plane', 'worker', 'witness']),
    /** Overrides timing.nodeBootSeconds for this node. */
    bootSeconds: range.optional(),
    /** etcd member id (16 hex digits) for control-plane and witness nodes. */
    etcdId: z.string().regex(/^[0-9a-f]{16}$/, { message: 'expected 16 lower-case hex digits' }).optional(),
    power: z.enum(['on', 'off']).default('on'),
    /** Days since the node joined (for AGE columns). */
    ageDays: z.number().nonnegative().default(54),
  })
  .strict();

const diskSchema = z
  .object({
    size: z.string().regex(/^\d+(Gi|Mi|Ti)$/, { message: 'expected a size like 10Gi' }).default('10Gi'),
    replicas: z.number().int().min(1).max(5).default(3),
  })
  .strict();

export const vmSchema = z
  .object({
    name: dns1123,
    namespace: dns1123.default('default'),
    runStrategy: z.enum(['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once']).optional(),
    /** Legacy spec.running instead of runStrategy. */
    running: z.boolean().optional(),
    /** Whether a VMI runs when the twin starts (default: runStrategy says so). */
    state: z.enum(['Running', 'Stopped']).optional(),
    node: dns1123.optional(),
    /** Rancher node-driver machine of a downstream cluster. */
    guestCluster: z.string().optional(),
    disks: z.array(diskSchema).default([{ size: '10Gi', replicas: 3 }]),
    shutdownSeconds: range.optional(),
    bootSeconds: range.optional(),
    terminationGracePeriodSeconds: z.number().int().nonnegative().default(180),
    labels: z.record(z.string(), z.string()).default({}),
    cpu: z.number().int().positive().default(2),
    memory: z.string().default('4Gi'),
    network: z.string().default('default/vm-net'),
  })
  .strict()
  .refine((v) => !(v.runStrategy && v.running !== undefined), { message: 'set runStrategy or running, not both' });

const addonWorkloadSchema = z
  .object({
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
    name: dns1123,
    replicas: z.number().int().nonnegative().default(1),
    /** StatefulSet: one PVC per replica; Deployment: one shared PVC. */
    pvcSize: z.string().optional(),
  })
  .strict();

export const addonSchema = z
  .object({
    name: dns1123,
    namespace: dns1123,
    chart: z.string(),
    version: z.string().default('0.0.0'),
    enabled: z.boolean(),
    repo: z.string().default('http://harvester-cluster-repo.cattle-system.svc/charts'),
    experimental: z.boolean().default(false),
    workloads: z.array(addonWorkloadSchema).optional(),
  })
  .strict();

export const rancherSchema = z
  .object({
    replicas: z.number().int().nonnegative().default(3),
    scaleAvailable: z.string().default('3'),
    agentReplicas: z.number().int().nonnegative().default(2),
    agentScaleAvailable: z.string().default('2'),
    /** Imported into an external Rancher Manager (sets cluster-registration-url). */
    imported: z.boolean().default(true),
    registrationUrl: z.string().default('https://rancher.example.com/v3/import/7x2kq9ffmz4lq2s8m5wz6hv5nc6f8kpdbx4zq9lrm2tqbhkd9wz6cg_c-m-8nrp4xsl.yaml'),
  })
  .strict();

export const scenarioSchema = z
  .object({
    apiVersion: z.literal(ScenarioApiVersion),
    kind: z.literal('Scenario'),
    metadata: z.object({ name: dns1123, description: z.string().optional() }).strict(),
    seed: z.union([z.number().int(), z.string()]).default(1),
    cluster: z
      .object({
        name: z.string().default('harvester'),
        vip: ipv4,
        kubernetesVersion: z.string().default('v1.30.7+rke2r1'),
        harvesterVersion: z.string().default('v1.4.2'),
        kubeSystemUid: z.string().uuid().optional(),
      })
      .strict(),
    nodes: z.array(nodeSchema).min(1),
    etcd: z
      .object({
        leader: dns1123.optional(),
        term: z.number().int().positive().default(45),
        index: z.number().int().positive().default(6538756),
        version: z.string().default('3.5.9'),
        clusterId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
      })
      .strict()
      .default({ term: 45, index: 6538756, version: '3.5.9' }),
    timing: timingSchema.default(timingSchema.parse({})),
    rancher: rancherSchema.default(rancherSchema.parse({})),
    settings: z.record(z.string(), z.string()).default({}),
    addons: z.array(addonSchema).default([]),
    vms: z.array(vmSchema).default([]),
    /** VM networks (NetworkAttachmentDefinitions on the mgmt cluster network). */
    networks: z.array(z.object({ name: dns1123, namespace: dns1123.default('default'), vlan: z.number().int().min(1).max(4094) }).strict()).default([{ name: 'vm-net', namespace: 'default', vlan: 100 }]),
    /** Harvester's own deployments/daemonsets (seed 5.2); off for tiny unit tests. */
    systemPods: z.boolean().default(true),
    faults: faultsSchema.default(faultsSchema.parse({})),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.nodes.forEach((n, i) => {
      if (names.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `duplicate node name ${n.name}` });
      names.add(n.name);
    });
    const etcdNodes = s.nodes.filter((n) => n.role !== 'worker');
    if (etcdNodes.length === 0) ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'needs at least one control-plane node' });
    if (s.etcd.leader && !etcdNodes.some((n) => n.name === s.etcd.leader)) {
      ctx.addIssue({ code: 'custom', path: ['etcd', 'leader'], message: `must name a control-plane or witness node, got ${s.etcd.leader}` });
    }
    const vmKeys = new Set<string>();
    s.vms.forEach((vm, i) => {
      const k = `${vm.namespace}/${vm.name}`;
      if (vmKeys.has(k)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: `duplicate VM ${k}` });
      vmKeys.add(k);
      if (vm.node && !names.has(vm.node)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'node'], message: `no node named ${vm.node}` });
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Timing = z.infer<typeof timingSchema>;
export type ScenarioNode = z.infer<typeof nodeSchema>;
export type ScenarioVm = z.infer<typeof vmSchema>;
export type ScenarioAddon = z.infer<typeof addonSchema>;

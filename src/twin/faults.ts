// Fault injection: the ways a real cluster misbehaves during a shutdown or restart, as
// data. A scenario declares them (`faults:` in the YAML, same schema) and tests change them
// at run time (`twin.faults.set({...})`). Controllers ask `faults.has(kind, ref)`; the API
// server reads `faults.api` (one mutable object shared with it). Object refs are
// "namespace/name" (or a node / cluster-scoped name) and may use `*` wildcards.
import { z } from 'zod';

const ref = z.string().min(1);
const refs = z.array(ref).default([]);

export const leaderChangeSchema = z
  .object({
    /** Modelled seconds after the twin started. */
    atSeconds: z.number().nonnegative().optional(),
    /** Or when an event of the log matches (first occurrence). */
    on: z
      .object({ type: z.string(), node: z.string().optional(), object: z.string().optional(), detail: z.string().optional() })
      .strict()
      .optional(),
    /** Node that should win; otherwise any other reachable member. */
    to: z.string().optional(),
  })
  .strict()
  .refine((v) => v.atSeconds !== undefined || v.on !== undefined, { message: 'needs atSeconds or on' });

export const apiFaultsSchema = z
  .object({
    errorRate: z.number().min(0).max(1).default(0),
    dropWatchesAfterMs: z.number().int().positive().optional(),
    latencyMs: z.number().nonnegative().default(0),
  })
  .strict();

export const faultsSchema = z
  .object({
    api: apiFaultsSchema.default({ errorRate: 0, latencyMs: 0 }),
    /** VMs ("ns/name") whose guest ignores ACPI: killed at the end of the grace period. */
    vmIgnoresAcpi: refs,
    /** Pods ("ns/name", wildcards) whose containers never exit: Terminating until forced. */
    podStuckTerminating: refs,
    /** Longhorn volumes (name) or PVCs ("ns/name") that never detach. */
    volumeStuckAttached: refs,
    /** Addons ("ns/name") whose disable never finishes. */
    addonStuckDisabling: refs,
    /** Addons ("ns/name") whose deploy fails (condition OperationFailed). */
    addonDeployFails: refs,
    /** Nodes whose OS shutdown hangs (they stay shutting-down until forced off). */
    nodeWontPowerOff: refs,
    /** Nodes that power on but never finish booting. */
    nodeWontBoot: refs,
    leaderChanges: z.array(leaderChangeSchema).default([]),
    /** Node → the InternalIP it gets on its next boot (its etcd member then cannot rejoin). */
    nodeIpAfterBoot: z.record(z.string(), z.string()).default({}),
    /** kube-vip does not put the VIP back after the restart. */
    vipDoesNotReturn: z.boolean().default(false),
    /** Pods ("ns/name", wildcards) that crash-loop after their node restarts, and any replacement started on a rebooted node. */
    crashLoopAfterRestart: refs,
    /** Volumes / PVCs faulted (detached, every replica failed) once a node holding one of their replicas has rebooted. */
    faultedVolumeAfterRestart: refs,
    /** Nodes whose Longhorn instance-manager pod comes back after a reboot without the storage network (Multus does not attach it). */
    storageNetworkNotApplied: refs,
    /**
     * Nodes whose kubelet has graceful node shutdown on (shutdownGracePeriod): an OS shutdown
     * leaves their Deployment and DaemonSet pods Failed ("Terminated"), replaced by their
     * controllers, the Deployments' ones still listed after the restart.
     */
    gracefulNodeShutdown: refs,
  })
  .strict();

export type FaultsSpec = z.infer<typeof faultsSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;
export type ApiFaults = z.infer<typeof apiFaultsSchema>;
export type LeaderChangeFault = z.infer<typeof leaderChangeSchema>;

/** Fault kinds that name objects (asked with `has`). */
export type RefFault =
  | 'vmIgnoresAcpi'
  | 'podStuckTerminating'
  | 'volumeStuckAttached'
  | 'addonStuckDisabling'
  | 'addonDeployFails'
  | 'nodeWontPowerOff'
  | 'nodeWontBoot'
  | 'crashLoopAfterRestart'
  | 'faultedVolumeAfterRestart'
  | 'storageNetworkNotApplied'
  | 'gracefulNodeShutdown';

export class TwinFaults {
  /** Shared by reference with the API server: mutate, never replace. */
  readonly api: ApiFaults;
  private spec: FaultsSpec;
  private readonly listeners = new Set<(spec: FaultsSpec) => void>();

  constructor(input: FaultsInput = {}) {
    this.spec = faultsSchema.parse(input);
    this.api = { ...this.spec.api };
  }

  get current(): Readonly<FaultsSpec> {
    return this.spec;
  }

  /** Changes faults at run time; lists replace, `api` fields merge. */
  set(input: Partial<FaultsInput>): void {
    const next = faultsSchema.parse({ ...this.spec, ...input, api: { ...this.api, ...(input.api ?? {}) } });
    this.spec = next;
    for (const k of Object.keys(this.api) as (keyof ApiFaults)[]) delete this.api[k];
    Object.assign(this.api, next.api);
    for (const l of this.listeners) l(next);
  }

  has(kind: RefFault, name: string): boolean {
    return this.spec[kind].some((pattern) => globMatch(pattern, name));
  }

  onChange(listener: (spec: FaultsSpec) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map(escapeRe).join('.*') + '$');
  return re.test(value);
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

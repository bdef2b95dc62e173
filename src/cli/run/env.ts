// Builds what a shutdown or restart runs with: the runbook options from the flags, the
// power layer over the inventory (or "manual" for every node when none is given), and the
// RunbookEnv the steps see.
import type { Clock } from '../../common/clock.js';
import { parseDuration } from '../../common/duration.js';
import { UsageError } from '../../common/errors.js';
import type { NodeObject } from '../../common/harvester-types.js';
import type { Cluster } from '../../cluster/client.js';
import { PowerController } from '../../power/controller.js';
import { loadInventory, PowerInventory, type NodePowerSpec } from '../../power/inventory.js';
import { ControllerPowerPort } from '../../power/runbook-port.js';
import { defaultRunOptions, type RunOptions, type RunbookEnv } from '../../runbook/env.js';
import { internalIp, isReady } from '../../runbook/lib/nodes.js';
import type { Operator } from './console.js';

/** Flags shared by shutdown, restart, resume and rehearse (stored with the run for resume). */
export interface RunFlags {
  power?: string;
  yes?: boolean;
  forceOff?: boolean;
  forceDeleteStuckPods?: boolean;
  scaleDownWorkloads?: boolean;
  stopConcurrency?: string;
  waveSize?: string;
  guestGrace?: string;
  backupVms?: string;
  skipBundles?: boolean;
  acceptNewHostKeys?: boolean;
  fromPartial?: boolean;
  healthTimeout?: string;
  /** Rancher Manager access (seed 2, 5.4, 5.5.2): paths and variable names only, never the token. */
  rancherUrl?: string;
  rancherTokenFile?: string;
  rancherTokenEnv?: string;
  rancherCa?: string;
  rancherInsecure?: boolean;
  snapshotDownstream?: boolean;
  skipNetCheck?: boolean;
}

/** A duration ("20m", "1h", "90s"); a bare number is minutes, as the flag took before (and as runs stored it). */
function minutesOrDuration(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v.trim()) ? Number(v) * 60_000 : parseDuration(v);
  if (ms === undefined || ms < 60_000) throw new UsageError(`invalid ${flag} "${v}"`, 'Pass a duration of at least a minute, e.g. 20m or 1h (a bare number is minutes)');
  return ms;
}

function int(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`invalid ${flag} "${v}"`, `Pass a whole number ≥ ${min}`);
  return n;
}

export function runOptionsFrom(f: RunFlags): RunOptions {
  const guest = int(f.guestGrace, '--guest-grace', 0);
  const health = minutesOrDuration(f.healthTimeout, '--health-timeout');
  return {
    ...defaultRunOptions,
    backupVms: f.backupVms ? f.backupVms.split(',').map((s) => s.trim()).filter(Boolean) : [],
    forceOff: f.forceOff ?? false,
    forceDeleteStuckPods: f.forceDeleteStuckPods ?? false,
    scaleDownWorkloads: f.scaleDownWorkloads ?? false,
    stopConcurrency: int(f.stopConcurrency, '--stop-concurrency', 1) ?? defaultRunOptions.stopConcurrency,
    waveSize: int(f.waveSize, '--wave-size', 0) ?? 0,
    ...(guest !== undefined ? { guestGraceSeconds: guest } : {}),
    ...(health !== undefined ? { healthTimeoutMs: health } : {}),
    fromPartial: f.fromPartial ?? false,
    skipBundles: f.skipBundles ?? false,
    snapshotDownstream: f.snapshotDownstream ?? false,
    skipNetCheck: f.skipNetCheck ?? false,
  };
}

/** Without an inventory every node is powered by hand: fallow says which, and waits. */
function manualInventory(nodes: string[]): PowerInventory {
  return new PowerInventory('(no --power inventory: manual)', new Map<string, NodePowerSpec>(nodes.map((n) => [n, { node: n, manual: true }])));
}

export interface EnvParts {
  cluster: Cluster;
  clock: Clock;
  operator: Operator;
  flags: RunFlags;
  runDir: string;
  /** Node name → InternalIP, from the live cluster or (restart) from the journal. */
  addresses: Map<string, string>;
  env?: NodeJS.ProcessEnv;
}

export async function buildRunbookEnv(p: EnvParts): Promise<{ env: RunbookEnv; close(): Promise<void> }> {
  const base = p.flags.power ? await loadInventory(p.flags.power) : manualInventory([...p.addresses.keys()]);
  const inventory = base.withAddresses((n) => p.addresses.get(n));
  const controller = new PowerController({
    inventory,
    clock: p.clock,
    console: p.operator,
    acceptNewHostKeys: p.flags.acceptNewHostKeys ?? false,
    nodeReady: async (node) => {
      const n = await p.cluster.get<NodeObject>('Node', undefined, node);
      // The boot id lets the controller tell a fresh boot from a Ready not yet withdrawn.
      const bootId = n?.status?.nodeInfo?.bootID;
      return { ready: n ? isReady(n) : false, ...(bootId ? { bootId } : {}) };
    },
  });
  const options = runOptionsFrom(p.flags);
  const power = new ControllerPowerPort(controller, p.clock, { forceOff: options.forceOff });
  const f = p.flags;
  // Optional edges: Rancher Manager (only with --rancher-url) and the network re-checks over
  // SSH (only with a power inventory that says how to reach the nodes).
  const rancherManager = f.rancherUrl
    ? await (await import('../../rancher/index.js')).openRancherManager(
        {
          url: f.rancherUrl,
          ...(f.rancherTokenFile ? { tokenFile: f.rancherTokenFile } : {}),
          ...(f.rancherTokenEnv ? { tokenEnv: f.rancherTokenEnv } : {}),
          ...(f.rancherCa ? { caFile: f.rancherCa } : {}),
          ...(f.rancherInsecure ? { insecure: true } : {}),
        },
        p.clock,
        // The token joins the process-wide registry the journal and every message are scrubbed with.
        { env: p.env ?? process.env, secrets: (await import('../../journal/secrets.js')).secrets },
      )
    : undefined;
  const netCheck = f.power ? new (await import('../../netcheck/port.js')).SshNetCheck(inventory) : undefined;
  return {
    env: { cluster: p.cluster, power, options, runDir: p.runDir, ...(rancherManager ? { rancherManager } : {}), ...(netCheck ? { netCheck } : {}) },
    close: async () => {
      rancherManager?.close();
      await controller.close();
    },
  };
}

/** Node addresses from the live cluster (shutdown). */
export async function liveAddresses(cluster: Cluster): Promise<Map<string, string>> {
  const nodes = await cluster.list<NodeObject>('Node');
  return new Map(nodes.map((n) => [n.metadata.name, internalIp(n)]));
}

// Runs the shutdown and restart runbooks with issue 12's steps inserted where they belong
// (the step tables are the runbook owner's to edit), on the shared twin bed, with the env's
// optional edges: the twin's Rancher Manager through fallow's Rancher client, and a
// network-check port. Also helpers to find a token in every file a run left behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { EngineEvent } from '../../src/engine/events.js';
import type { EngineOptions, RunResult } from '../../src/engine/options.js';
import { resumeRun, runRunbook } from '../../src/engine/run.js';
import type { Runbook, Step } from '../../src/engine/types.js';
import { SecretRegistry } from '../../src/journal/secrets.js';
import { loadRancherAccess } from '../../src/rancher/access.js';
import { RancherManager } from '../../src/rancher/manager.js';
import { defaultRunOptions, restartRunbook, shutdownRunbook, type RunOptions, type RunbookEnv } from '../../src/runbook/index.js';
import type { NetCheckPort } from '../../src/runbook/netcheck-port.js';
import { recordRancherManager, snapshotDownstreamClusters } from '../../src/runbook/shutdown/downstream-snapshots.js';
import { awaitDownstreamClusters, awaitHarvesterActive } from '../../src/runbook/restart/rancher-manager.js';
import { netCheckEtcdMembers, netCheckLeader, netCheckWorkers } from '../../src/runbook/restart/net-check.js';
import { recordNodeNetworks } from '../../src/runbook/shutdown/net-baseline.js';
import { SshNetCheck } from '../../src/netcheck/port.js';
import { loadInventory } from '../../src/power/inventory.js';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { TwinNodeNetwork } from '../../src/twin/node-network/model.js';
import { startRancherManager, type TwinRancherManager } from '../../src/twin/rancher-manager/index.js';
import { startBed, type Bed } from './bed.js';

type S = Step<RunbookEnv>;

export function insertAfter(rb: Runbook<RunbookEnv>, inserts: [after: string, steps: S[]][]): Runbook<RunbookEnv> {
  const steps: S[] = [];
  for (const s of rb.steps) {
    steps.push(s);
    for (const [after, add] of inserts) if (after === s.id) steps.push(...add);
  }
  for (const [after] of inserts) if (!rb.steps.some((s) => s.id === after)) throw new Error(`no step ${after} in ${rb.name}`);
  return { name: rb.name, steps };
}

/** Issue 12's Rancher steps where the report says they go. */
export const rancherShutdown = (rb = shutdownRunbook) => insertAfter(rb, [['shutdown.backup-vms', [recordRancherManager, snapshotDownstreamClusters]]]);
export const rancherRestart = (rb = restartRunbook) =>
  insertAfter(rb, [
    ['restart.rancher-scale-up', [awaitHarvesterActive]],
    ['restart.downstream-vms', [awaitDownstreamClusters]],
  ]);

/** Every issue-12 step where the report says it goes: the Rancher steps and the network re-check. */
export const issue12Shutdown = () => rancherShutdown(insertAfter(shutdownRunbook, [['shutdown.record-network', [recordNodeNetworks]]]));
export const issue12Restart = () =>
  rancherRestart(
    insertAfter(restartRunbook, [
      ['restart.power-on-leader', [netCheckLeader]],
      ['restart.power-on-etcd-members', [netCheckEtcdMembers]],
      ['restart.power-on-workers', [netCheckWorkers]],
    ]),
  );

export interface ExtrasBed {
  bed: Bed;
  rm: TwinRancherManager | undefined;
  rancher: RancherManager | undefined;
  secrets: SecretRegistry;
  token: string;
  /** With `netCheck: true`: the nodes' network model and the SSH checks through the twin's SSH fronts. */
  net: TwinNodeNetwork | undefined;
  netCheck: NetCheckPort | undefined;
  run(rb: Runbook<RunbookEnv>, o?: { options?: Partial<RunOptions>; engine?: EngineOptions; parentRunId?: string; netCheck?: NetCheckPort }): Promise<RunResult>;
  resume(rb: Runbook<RunbookEnv>, runDir: string, o?: { options?: Partial<RunOptions>; engine?: EngineOptions; netCheck?: NetCheckPort }): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startExtrasBed(o: { scenarioPath?: string; rancher?: boolean; netCheck?: boolean; snapshotSeconds?: [number, number] } = {}): Promise<ExtrasBed> {
  const bed = await startBed({ scenarioPath: o.scenarioPath ?? 'default' });
  const dir = mkdtempSync(join(tmpdir(), 'fallow-extras-'));
  const secrets = new SecretRegistry();
  let rm: TwinRancherManager | undefined;
  let rancher: RancherManager | undefined;
  let token = '';
  if (o.rancher !== false) {
    rm = await startRancherManager(bed.twin, { dir, snapshotSeconds: o.snapshotSeconds ?? [30, 90] });
    token = readFileSync(rm.tokenFile, 'utf8').trim();
    rancher = RancherManager.open(await loadRancherAccess({ url: rm.url, tokenFile: rm.tokenFile, caFile: rm.caFile }, {}, secrets), bed.twin.clock, { requestTimeoutMs: 5_000 });
  }
  let fronts: PowerFronts | undefined;
  let net: TwinNodeNetwork | undefined;
  let netCheck: NetCheckPort | undefined;
  if (o.netCheck) {
    net = new TwinNodeNetwork(bed.twin.api);
    fronts = await startPowerFronts(bed.twin.power, bed.twin.scenario.nodes.map((n) => ({ name: n.name })), { dir: join(dir, 'fronts'), bmc: 'none', sshCommands: net.handler });
    netCheck = new SshNetCheck(await loadInventory(fronts.inventoryPath), { connectTimeoutMs: 3_000 });
  }
  const common = { clock: bed.twin.clock, identity: bed.identity, secrets, onEvent: (e: EngineEvent) => bed.events.push(e) };
  const envFor = (options: Partial<RunOptions> = {}, netCheck?: NetCheckPort) => ({ runDir }: { runDir: string }): RunbookEnv => ({
    cluster: bed.conn.cluster,
    power: bed.power,
    options: { ...defaultRunOptions, ...options },
    runDir,
    ...(rancher ? { rancherManager: rancher } : {}),
    ...(netCheck ? { netCheck } : {}),
  });
  return {
    bed,
    rm,
    rancher,
    secrets,
    token,
    net,
    netCheck,
    run: (rb, r = {}) =>
      runRunbook({ ...common, stateDir: bed.stateDir, runbook: rb, makeEnv: envFor(r.options, r.netCheck ?? netCheck), options: { yes: true, ...r.engine }, ...(r.parentRunId ? { parentRunId: r.parentRunId } : {}) }),
    resume: (rb, runDir, r = {}) => resumeRun({ ...common, runDir, runbook: rb, makeEnv: envFor(r.options, r.netCheck ?? netCheck), options: { yes: true, ...r.engine } }),
    async close() {
      await fronts?.stop();
      rancher?.close();
      await rm?.stop();
      await bed.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir` whose text contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(needle)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

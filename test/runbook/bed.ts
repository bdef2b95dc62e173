// A test bed for the runbooks: a twin (its API over HTTPS, its controllers on the bed's
// clock), the real cluster layer connected through the twin's kubeconfig, the engine with
// a temporary state dir, and the twin's node power behind a PowerPort.
//
// The clock is virtual unless the caller asks for a `scale` or brings a clock: modelled
// time then moves only while this process is idle, so a cycle costs the CPU it needs
// rather than its modelled minutes over the scale, and a loaded machine cannot make a
// modelled deadline pass early. A test that shares the twin's clock with another process
// (FALLOW_CLOCK) passes a `scale`: virtual time lives in one process only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterIdentity } from '../../src/cluster/discovery.js';
import { connect, type Connection } from '../../src/cluster/connect.js';
import type { EngineOptions, RunResult } from '../../src/engine/options.js';
import { runRunbook } from '../../src/engine/run.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { ClusterIdentity } from '../../src/journal/records.js';
import { defaultRunOptions, restartRunbook, shutdownRunbook, type RunOptions, type RunbookEnv } from '../../src/runbook/index.js';
import { startTwin, type Twin, type TwinOptions } from '../../src/twin/runtime.js';
import { TwinPowerPort } from '../helpers/twin-power-port.js';
import { useVirtualBucket } from '../helpers/virtual-bucket.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { startVirtualTwin } from '../helpers/virtual-twin.js';

export interface Bed {
  twin: Twin;
  conn: Connection;
  power: TwinPowerPort;
  identity: ClusterIdentity;
  stateDir: string;
  events: EngineEvent[];
  shutdown(o?: { options?: Partial<RunOptions>; engine?: EngineOptions }): Promise<RunResult>;
  restart(parentRunId: string, o?: { options?: Partial<RunOptions>; engine?: EngineOptions }): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startBed(twinOpts: Partial<TwinOptions> = {}): Promise<Bed> {
  const opts = { scenarioPath: 'default', ...twinOpts };
  const twin = opts.clock === undefined && opts.scale === undefined ? await startVirtualTwin(opts) : await startTwin(opts);
  return bedOver(twin, twin.kubeconfigPath, () => twin.stop());
}

/** The runbooks against `twin` through `kubeconfig` (the twin's own API, or a real apiserver the twin runs over). */
export async function bedOver(twin: Twin, kubeconfig: string, stopTwin: () => Promise<void>): Promise<Bed> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fallow-bed-'));
  const conn = await connect({ kubeconfig, clock: twin.clock, env: {}, requestTimeoutMs: 10_000 });
  if (twin.clock instanceof VirtualClock) useVirtualBucket(conn.cluster, twin.clock);
  const power = new TwinPowerPort(twin.power, () => twin.clock.now());
  const id = await clusterIdentity(conn.cluster);
  const identity = { uid: id.uid, server: id.server };
  const events: EngineEvent[] = [];
  const envFor = (options: Partial<RunOptions> = {}) => ({ runDir }: { runDir: string }): RunbookEnv => ({
    cluster: conn.cluster,
    power,
    options: { ...defaultRunOptions, ...options },
    runDir,
  });
  const common = { clock: twin.clock, identity, stateDir, onEvent: (e: EngineEvent) => events.push(e) };
  return {
    twin,
    conn,
    power,
    identity,
    stateDir,
    events,
    shutdown: (o = {}) => runRunbook({ ...common, runbook: shutdownRunbook, makeEnv: envFor(o.options), options: { yes: true, ...o.engine } }),
    restart: (parentRunId, o = {}) =>
      runRunbook({ ...common, runbook: restartRunbook, makeEnv: envFor(o.options), parentRunId, options: { yes: true, ...o.engine } }),
    async close() {
      conn.cluster.close();
      await stopTwin();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

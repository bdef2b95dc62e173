// startRancherManager: an external Rancher Manager for a running twin, on loopback. Its
// local cluster is a second twin API server over its own store (the Rancher kinds only),
// behind a Rancher-like HTTPS front (/ping, /k8s/clusters/local/…, API-token auth); the
// objects come from the twin's node-driver VMs and registration URL (build.ts) and follow
// the twin through the controller. The API token is written to a 0600 file and never
// returned as a value, so callers use it the way fallow does: from the file.
//
//   const rm = await startRancherManager(twin, { dir });
//   fallow shutdown --rancher-url rm.url --rancher-token-file rm.tokenFile --rancher-ca rm.caFile
//   rm.setFaults({ snapshotFails: ['rke2-prod'] }); await rm.setReachable(false);
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { writeSecretFile } from '../../power/secrets.js';
import { LocalTwinApi, type TwinApi } from '../api.js';
import { startApiServer } from '../apiserver/index.js';
import { Timers } from '../controllers/timers.js';
import { Rng } from '../scenario/rng.js';
import { Store } from '../store/store.js';
import { buildObjects, readModel, type RancherModel } from './build.js';
import { RancherManagerTwinController, type RancherTwinFaults } from './controller.js';
import { RancherFront } from './front.js';
import { rancherTwinTypes } from './resources.js';

/** What of the twin the Rancher Manager follows (a `Twin` from ../runtime.ts fits). */
export interface RancherManagerHost {
  api: TwinApi;
  clock: Clock;
  scenario?: { seed?: number | string; cluster?: { name?: string; kubernetesVersion?: string } };
}

export interface RancherManagerOptions {
  /** Where the token file and CA file go (created if missing). */
  dir: string;
  host?: string;
  /** Modelled seconds an etcd snapshot takes (default 20–60). */
  snapshotSeconds?: [number, number];
  faults?: Partial<RancherTwinFaults>;
}

export interface TwinRancherManager {
  url: string;
  tokenFile: string;
  caPem: string;
  caFile: string;
  readonly faults: Readonly<RancherTwinFaults>;
  /** Changes the faults at run time (the controller reconciles at once). */
  setFaults(f: Partial<RancherTwinFaults>): void;
  store: Store;
  model: RancherModel;
  setReachable(up: boolean): Promise<void>;
  /** Resolves when the controller has caught up with the latest changes. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRancherManager(twin: RancherManagerHost, opts: RancherManagerOptions): Promise<TwinRancherManager> {
  const host = opts.host ?? '127.0.0.1';
  const store = new Store({ now: () => twin.clock.now() });
  for (const t of rancherTwinTypes) store.register(t);
  const rancher = new LocalTwinApi(store);
  const model = await readModel(twin.api, twin.scenario?.cluster?.name ?? 'harvester');
  for (const o of buildObjects(model, twin.scenario?.cluster?.kubernetesVersion ?? 'v1.30.7+rke2r1')) await rancher.create(o);

  const faults: RancherTwinFaults = { snapshotFails: [...(opts.faults?.snapshotFails ?? [])], clusterStuck: [...(opts.faults?.clusterStuck ?? [])] };
  const timers = new Timers(twin.clock);
  const controller = new RancherManagerTwinController({
    harvester: twin.api,
    rancher,
    timers,
    rng: new Rng(`${String(twin.scenario?.seed ?? 1)}/rancher-manager`),
    model,
    faults,
    snapshotSeconds: opts.snapshotSeconds ?? [20, 60],
  });
  await controller.start();

  const inner = await startApiServer({ store, host, clock: twin.clock, gitVersion: 'v1.30.9+rke2r1' });
  // Rancher's API tokens look like token-<5>:<52 lower-case alphanumerics>.
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const token = `token-${new Rng(randomBytes(4).readUInt32LE()).suffix(5)}:${Array.from(randomBytes(52), (b) => alnum[b % alnum.length]).join('')}`;
  const front = new RancherFront({ host, token, upstream: { url: inner.url, caPem: inner.caPem, token: inner.adminToken } });
  await front.start();

  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(opts.dir, 'rancher-token');
  await writeSecretFile(tokenFile, token);
  const caFile = join(opts.dir, 'rancher-ca.pem');
  await writeFile(caFile, front.caPem);

  let stopped = false;
  return {
    url: front.url,
    tokenFile,
    caPem: front.caPem,
    caFile,
    faults,
    setFaults(f) {
      if (f.snapshotFails) faults.snapshotFails = [...f.snapshotFails];
      if (f.clusterStuck) faults.clusterStuck = [...f.clusterStuck];
      controller.kick();
    },
    store,
    model,
    setReachable: (up) => front.setReachable(up),
    idle: () => controller.idle(),
    async stop() {
      if (stopped) return;
      stopped = true;
      controller.stop();
      timers.stop();
      await front.stop();
      await inner.close();
    },
  };
}

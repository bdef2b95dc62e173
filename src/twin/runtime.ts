// startTwin: a whole simulated Harvester cluster in this process. Builds the scenario's
// objects into a store, starts the HTTPS API server over it (unless `server: false`, for
// unit tests that drive the store directly), the node power and etcd models, and every
// controller, all on one ScaledClock (modelled time runs `scale`× faster than wall time).
// Given `api` (a real kube-apiserver through HttpTwinApi: the fidelity bed), it builds the
// scenario and runs the controllers through that API instead, leaving what a real
// kube-controller-manager runs to it, and reports the modelled API outages through
// `onReachability` so the caller can take the real apiserver away and bring it back.
//
//   const twin = await startTwin({ scenarioPath: 'default', scale: 200 });
//   // KUBECONFIG=twin.kubeconfigPath FALLOW_CLOCK=twin.clock.toEnv() fallow shutdown …
//   twin.power.requestShutdown('harv2'); twin.faults.set({ vmIgnoresAcpi: ['default/vm1'] });
//   await twin.stop();
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledClock, wallSleep, type Clock } from '../common/clock.js';
import { Kinds } from '../common/harvester.js';
import { LocalTwinApi, type TwinApi } from './api.js';
import { startApiServer, type TwinApiServer, type TwinUser } from './apiserver/index.js';
import type { ExecHandler } from './apiserver/types.js';
import type { ResourceDump } from './controllers/bundle/supportbundle.js';
import { ApiReachability, type Reachability } from './controllers/apireach.js';
import { Attribution, type TwinContext } from './controllers/context.js';
import { createControllers, type TwinControllers } from './controllers/index.js';
import { Informers } from './controllers/informer.js';
import { Kubelets } from './controllers/kubelets.js';
import { NodePowerModel } from './controllers/power.js';
import { ApiGate } from './controllers/queue.js';
import { Timers } from './controllers/timers.js';
import { EtcdModel } from './etcd/model.js';
import { EventLog } from './events.js';
import { execHandler } from './etcd/exec.js';
import { armLeaderChanges } from './controllers/fault-schedule.js';
import { TwinFaults, type FaultsInput } from './faults.js';
import { allTwinTypes } from './resources.js';
import { buildCluster } from './scenario/build.js';
import { BuildContext } from './scenario/build-context.js';
import { loadScenarioFile, validateScenario } from './scenario/load.js';
import { Rng } from './scenario/rng.js';
import type { Scenario, ScenarioInput } from './scenario/schema.js';
import { Store } from './store/store.js';
import { apiVersionOf } from './store/types.js';

export interface StartTwinOptions {
  /** A scenario object (validated here), or… */
  scenario?: Scenario | ScenarioInput;
  /** …a scenario file: a path or a built-in name ("default", "witness"). Default "default". */
  scenarioPath?: string;
  /** Modelled time runs this many times faster than wall time (default 200). */
  scale?: number;
  /** A clock to run on instead of a fresh ScaledClock (`scale` is then ignored): the bench's virtual time. */
  clock?: ScaledClock;
  /** Faults on top of the scenario's. */
  faults?: FaultsInput;
  /** Where the kubeconfig is written (default: a fresh temp directory). */
  stateDir?: string;
  users?: TwinUser[];
  rbac?: boolean;
  /** false: no API server (controllers on the store only). Default true; ignored with `api`. */
  server?: boolean;
  /**
   * Build and run over this API (a real kube-apiserver through HttpTwinApi) instead of an
   * in-memory store; the twin then starts no API server of its own and `store` stays empty.
   */
  api?: TwinApi;
  /** A real kube-controller-manager runs beside the twin: the twin's Deployment and ReplicaSet controllers are not started. */
  realControllerManager?: boolean;
  /**
   * Told when the modelled API reachability changes (no control-plane node, no etcd
   * quorum, back up), e.g. to stop and start a real apiserver. The controllers' gate opens
   * again only once it resolved for 'up'. Calls are serialised.
   */
  onReachability?: (state: Reachability) => Promise<void>;
  /** The kubelet port nodes report (status.daemonEndpoints); default 10250. */
  kubeletPort?: number;
}

/** Alias kept for callers that name the options TwinOptions. */
export type TwinOptions = StartTwinOptions;

export interface Twin {
  url: string;
  kubeconfigPath: string;
  clock: ScaledClock;
  /** The in-memory store (empty when the twin runs over an injected `api`). */
  store: Store;
  api: TwinApi;
  /** Answers pod exec as the twin's kubelets would (etcdctl in the etcd pods). */
  exec: ExecHandler;
  server: TwinApiServer | undefined;
  power: NodePowerModel;
  kubelets: Kubelets;
  etcd: EtcdModel;
  events: EventLog;
  faults: TwinFaults;
  scenario: Scenario;
  reachability(): Reachability;
  controllers: TwinControllers;
  /** The kube-system namespace uid: the cluster's identity. */
  clusterUid: string;
  /** Resolves when no controller has work queued (delayed work may still be pending). */
  settle(wallTimeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTwin(opts: StartTwinOptions = {}): Promise<Twin> {
  const scenario = opts.scenario ? validateScenario(opts.scenario, 'scenario') : await loadScenarioFile(opts.scenarioPath ?? 'default');
  const rng = new Rng(scenario.seed);
  const uidRng = new Rng(`${String(scenario.seed)}/uid`);
  // Modelled time stands still while the cluster is built (a 5,000-VM build takes seconds
  // of wall time), then runs from where it stood.
  const t0 = opts.clock?.now() ?? Date.now();
  const buildClock: Clock = opts.clock ?? { scale: opts.scale ?? 200, now: () => t0, sleep: (ms, signal) => wallSleep(ms, signal) };
  let clock: Clock = buildClock;
  let backdate: number | undefined;
  const store = new Store({ now: () => backdate ?? clock.now(), uid: () => uidRng.uuid() });
  for (const t of allTwinTypes) store.register(t);
  const api: TwinApi = opts.api ?? new LocalTwinApi(store);
  const build = await buildCluster(new BuildContext(api, rng, buildClock, scenario, (ms) => (backdate = ms), opts.kubeletPort));
  const scaled = opts.clock ?? new ScaledClock(opts.scale ?? 200, Date.now(), t0);
  clock = scaled;
  const events = new EventLog(clock);
  const faults = new TwinFaults(mergeFaults(scenario.faults, opts.faults));
  const timers = new Timers(clock);
  const t = scenario.timing;
  const power = new NodePowerModel(
    scenario.nodes.map((n) => ({ name: n.name, bootSeconds: n.bootSeconds ?? t.nodeBootSeconds, shutdownSeconds: t.nodeShutdownSeconds, initial: n.power })),
    { timers, rng, events, faults },
  );
  const etcdNodes = scenario.nodes.filter((n) => n.role !== 'worker');
  const etcd = new EtcdModel({
    members: etcdNodes.map((n) => ({ node: n.name, ip: n.ip, ...(n.etcdId ? { id: n.etcdId } : {}) })),
    clock,
    timers,
    rng,
    events,
    ...(scenario.etcd.clusterId ? { clusterId: scenario.etcd.clusterId } : {}),
    version: scenario.etcd.version,
    leader: scenario.etcd.leader ?? etcdNodes.find((n) => n.role === 'control-plane')?.name,
    term: scenario.etcd.term,
    index: scenario.etcd.index,
    electionTimeoutMs: [t.etcdElectionSeconds[0] * 1000, t.etcdElectionSeconds[1] * 1000],
    restartMs: t.etcdRestartSeconds * 1000,
    running: etcdNodes.filter((n) => n.power === 'on').map((n) => n.name),
  });
  const kubelets = new Kubelets(power, etcd, { events, faults, now: () => clock.now() }, build.ips);
  const gate = new ApiGate();
  const reach = new ApiReachability({ power, etcd, gate, events }, build.controlPlane);
  const informers = new Informers(api);
  const ctx: TwinContext = {
    api,
    informers,
    clock,
    timers,
    rng,
    events,
    faults,
    gate,
    timing: t,
    power,
    kubelets,
    etcd,
    attribution: new Attribution(),
    cluster: { vip: scenario.cluster.vip, kubernetesVersion: scenario.cluster.kubernetesVersion, name: scenario.cluster.name },
  };
  const clusterUid = (await api.get(Kinds.Namespace, undefined, 'kube-system'))?.metadata.uid ?? '';
  const controllers = createControllers(ctx, build, {
    reachability: () => reach.current(),
    dump: opts.api ? () => dumpThrough(api) : () => store.allTypes().map((type) => ({ type, items: store.scan(type) })),
    clusterUid: () => clusterUid,
    realControllerManager: opts.realControllerManager ?? false,
  });
  for (const c of controllers.all) c.setup();
  // No reconcile before every cache is filled and every controller resynced: over HTTP the
  // first kinds' objects arrive (and queue work) while later kinds are still listing.
  gate.set(false);
  await informers.startAll();
  for (const c of controllers.all) c.resync();
  gate.set(reach.current() === 'up');
  const disarm = armLeaderChanges(faults, etcd, events, timers);
  const exec = execHandler(etcd, kubelets, () => clock.now());
  if (opts.onReachability) {
    const hook = opts.onReachability;
    let chain = Promise.resolve();
    reach.attach((s) => (chain = chain.then(() => hook(s))));
  }

  let server: TwinApiServer | undefined;
  let kubeconfigPath = '';
  if (opts.server !== false && !opts.api) {
    server = await startApiServer({
      store,
      clock,
      faults: faults.api,
      exec,
      ...(opts.users ? { users: opts.users } : {}),
      ...(opts.rbac !== undefined ? { rbac: opts.rbac } : {}),
      gitVersion: scenario.cluster.kubernetesVersion,
    });
    server.addRoute('GET', /^\/v1\/harvester\/supportbundles\/([^/]+)\/download$/, controllers.bundles.download);
    const srv = server;
    let chain = Promise.resolve();
    reach.attach((s) => {
      chain = chain.then(() => srv.setReachability(s)).catch(() => undefined);
    });
    kubeconfigPath = join(opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'fallow-twin-'))), 'kubeconfig');
    await server.writeKubeconfig(kubeconfigPath);
  }

  let stopped = false;
  return {
    url: server?.url ?? '',
    kubeconfigPath,
    clock: scaled,
    store,
    api,
    exec,
    server,
    power,
    kubelets,
    etcd,
    events,
    faults,
    scenario,
    reachability: () => reach.current(),
    controllers,
    clusterUid,
    async settle(wallTimeoutMs = 10_000) {
      const end = Date.now() + wallTimeoutMs;
      let quiet = 0;
      while (quiet < 3) {
        if (Date.now() > end) throw new Error(`twin did not settle within ${wallTimeoutMs} ms: busy ${controllers.all.filter((c) => !c.idle()).map((c) => c.name).join(', ')}`);
        await new Promise((r) => setImmediate(r));
        quiet = controllers.all.every((c) => c.idle()) ? quiet + 1 : 0;
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      disarm();
      for (const c of controllers.all) c.stop();
      informers.stopAll();
      timers.stop();
      etcd.stopTimers();
      kubelets.stop();
      reach.stop();
      await server?.close();
    },
  };
}

/** Every kind of the twin's catalogue the API serves, for the support bundle (a real apiserver lacks none, but lists may fail while it is away). */
async function dumpThrough(api: TwinApi): Promise<ResourceDump[]> {
  const dumps: ResourceDump[] = [];
  for (const type of allTwinTypes) {
    const items = await api.list({ apiVersion: apiVersionOf(type), kind: type.kind }).catch(() => undefined);
    if (items) dumps.push({ type, items });
  }
  return dumps;
}

function mergeFaults(base: FaultsInput, extra: FaultsInput | undefined): FaultsInput {
  if (!extra) return base;
  return { ...base, ...extra, api: { ...(base.api ?? {}), ...(extra.api ?? {}) } };
}

// The fidelity bed: a real etcd + kube-apiserver (+ kube-controller-manager) built from Go
// modules (test/fidelity/build.sh), on loopback, with the twin's CRDs installed from
// src/twin/resources.ts, a kubeconfig, and an apiserver that can be stopped and started
// again (the twin's quorum-loss model makes the API go away and come back). Controllers
// written against TwinApi run against it through HttpTwinApi (src/twin/http-api.ts).
//
// Owns its temp dir and the processes it starts; removes both on stop().
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfigFile } from '../../src/twin/apiserver/kubeconfig.js';
import { KubeHttpClient, type KubeEndpoint } from '../../src/twin/http-client.js';
import { crdManifests, type CrdManifest } from './crds.js';
import {
  apiServerArgs,
  binPath,
  controllerManagerArgs,
  defaultDisabledControllers,
  etcdArgs,
  freePort,
  missingBinaries,
  type Layout,
} from './harness/control-plane.js';
import { baseUsers, makeCredentials, type BedUser } from './harness/credentials.js';
import { startKubelet, type BedKubelet } from './harness/kubelet.js';
import { Daemon } from './harness/proc.js';
import { startVirtApi } from './harness/virt-api-server.js';
import type { ExecHandler } from '../../src/twin/apiserver/types.js';

export interface FidelityBedOptions {
  /** Run kube-controller-manager (Deployments, ReplicaSets, GC, namespaces, SAs). Default true. */
  controllerManager?: boolean;
  /** Its --controllers list; default every controller but node lifecycle and taint eviction. */
  controllers?: string[];
  /** Install the CRDs generated from the twin's catalogue. Default true. */
  crds?: boolean | CrdManifest[];
  /** More token users (beyond fidelity-admin, system:kube-controller-manager, fallow-twin). */
  users?: BedUser[];
  /** Keep the temp dir after stop() (for reading daemon logs). Default: FALLOW_FIDELITY_KEEP=1. */
  keep?: boolean;
  /** Serve KubeVirt's start/stop/restart as the aggregated API v1.subresources.kubevirt.io. Default true. */
  virtApi?: boolean;
  /**
   * Answers `pods/exec`: starts fidelity-kubelet on `kubeletAddresses` (default 127.0.0.1).
   * Nodes must then carry one of those as InternalIP and `kubelet.port` as their
   * status.daemonEndpoints.kubeletEndpoint.Port (see nodeStatusFor).
   */
  exec?: ExecHandler;
  kubeletAddresses?: string[];
}

export interface KubectlOptions {
  input?: string;
  /** Run as this bed user instead of the admin. */
  user?: string;
  /** Extra environment (KUBE_EDITOR for `kubectl edit`). */
  env?: Record<string, string>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface FidelityBed {
  readonly dir: string;
  /** The admin's endpoint (system:masters). */
  readonly endpoint: KubeEndpoint;
  readonly kubeconfigPath: string;
  /** An HTTP client as the admin. */
  readonly client: KubeHttpClient;
  readonly apiServerRunning: boolean;
  /** kube-controller-manager's process id while it runs (a new one after startControlPlane). */
  readonly controllerManagerPid: number | undefined;
  /** The exec kubelet, when `exec` was given. */
  readonly kubelet: BedKubelet | undefined;
  /** Endpoint for any bed user (fallow-twin for the twin's controllers). */
  endpointFor(user: string): KubeEndpoint;
  /** Runs the real kubectl against the bed (KUBECONFIG set, no other config read). */
  kubectl(args: string[], opts?: KubectlOptions): Promise<CommandResult>;
  /** Stops kube-apiserver (SIGTERM, wait): requests are refused until startApiServer. */
  stopApiServer(): Promise<void>;
  /** Starts it again on the same port with the same flags and waits for /readyz. */
  startApiServer(): Promise<void>;
  /**
   * The control plane going down with its nodes: kube-controller-manager (when the bed runs
   * one), then kube-apiserver. Use this, not stopApiServer, when the outage is long in
   * wall time (see startControlPlane).
   */
  stopControlPlane(): Promise<void>;
  /**
   * kube-apiserver (waits for /readyz), then a fresh kube-controller-manager (waits for its
   * /healthz), as kubelets start the static pods of a booting control-plane node. A
   * kube-controller-manager left running through an outage resumes only when its
   * reflectors' wall-clock backoff (0.8 s doubling to 30 s, up to twice that with jitter)
   * next fires: measured 24 s after a 13 s outage, i.e. 20 modelled minutes at the twin's
   * scale 50, during which it creates no pods. Started after /readyz, because before the
   * RBAC authorizer has synced it answers 403 and that too sends the reflectors into backoff.
   */
  startControlPlane(): Promise<void>;
  stop(): Promise<void>;
}

const readyTimeoutMs = 120_000;

export async function startFidelityBed(opts: FidelityBedOptions = {}): Promise<FidelityBed> {
  const missing = missingBinaries();
  if (missing.length) {
    throw new Error(`fidelity bed: binaries not built: ${missing.join(', ')}. Run: bash test/fidelity/build.sh`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'fallow-fidelity-'));
  const daemons: Daemon[] = [];
  const clients: KubeHttpClient[] = [];
  const keep = opts.keep ?? process.env.FALLOW_FIDELITY_KEEP === '1';
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of [...stoppers].reverse()) await s().catch(() => undefined);
    for (const d of [...daemons].reverse()) await d.stop();
    for (const c of clients) c.close();
    if (!keep) await rm(dir, { recursive: true, force: true });
  };
  try {
    const users = [...baseUsers, ...(opts.users ?? [])];
    const creds = await makeCredentials(dir, users);
    const [etcdClientPort, etcdPeerPort, apiPort, cmPort] = await distinctPorts(4);
    const layout: Layout = {
      dir,
      etcdClientPort: etcdClientPort!,
      etcdPeerPort: etcdPeerPort!,
      apiPort: apiPort!,
      cmPort: cmPort!,
      creds,
      cmKubeconfig: join(dir, 'controller-manager.kubeconfig'),
    };
    const server = `https://127.0.0.1:${layout.apiPort}`;
    const endpointFor = (user: string): KubeEndpoint => {
      const token = creds.tokens.get(user);
      if (!token) throw new Error(`fidelity bed: no user '${user}' (known: ${[...creds.tokens.keys()].join(', ')})`);
      return { server, caPem: creds.pki.caPem, token };
    };
    const kubeconfigFor = async (user: string, path: string): Promise<string> => {
      await writeKubeconfigFile(path, { server, caPem: creds.pki.caPem, user, token: endpointFor(user).token, context: 'fidelity' });
      return path;
    };
    const kubeconfigPath = await kubeconfigFor('fidelity-admin', join(dir, 'admin.kubeconfig'));
    await kubeconfigFor('system:kube-controller-manager', layout.cmKubeconfig);
    const endpoint = endpointFor('fidelity-admin');
    const client = new KubeHttpClient(endpoint);
    clients.push(client);
    await mkdir(join(dir, 'logs'));

    const etcd = new Daemon({ name: 'etcd', bin: binPath('etcd'), args: etcdArgs(layout), logFile: join(dir, 'logs/etcd.log') });
    daemons.push(etcd);
    etcd.start();
    await etcd.waitReady(() => etcdHealthy(layout.etcdClientPort), readyTimeoutMs);

    const apiserver = new Daemon({ name: 'kube-apiserver', bin: binPath('kube-apiserver'), args: apiServerArgs(layout), logFile: join(dir, 'logs/kube-apiserver.log') });
    daemons.push(apiserver);
    const startApiServer = async (): Promise<void> => {
      apiserver.start();
      await apiserver.waitReady(async () => (await client.request('GET', '/readyz', { timeoutMs: 5_000 })).status === 200, readyTimeoutMs);
    };
    await startApiServer();

    let controllerManager: Daemon | undefined;
    const startControllerManager = async (): Promise<void> => {
      if (!controllerManager) return;
      controllerManager.start();
      await controllerManager.waitReady(() => healthzInsecure(layout.cmPort), readyTimeoutMs);
    };
    if (opts.controllerManager ?? true) {
      const controllers = opts.controllers ?? ['*', ...defaultDisabledControllers.map((c) => `-${c}`)];
      controllerManager = new Daemon({
        name: 'kube-controller-manager',
        bin: binPath('kube-controller-manager'),
        args: controllerManagerArgs(layout, controllers),
        logFile: join(dir, 'logs/kube-controller-manager.log'),
        restartOnExit: true,
      });
      daemons.push(controllerManager);
      await startControllerManager();
    }

    let kubelet: BedKubelet | undefined;
    if (opts.exec) {
      kubelet = await startKubelet({ admin: client, dir, addresses: opts.kubeletAddresses ?? ['127.0.0.1'], exec: opts.exec });
      stoppers.push(() => kubelet!.stop());
    }
    if (opts.virtApi ?? true) {
      const virtApi = await startVirtApi(client);
      stoppers.push(() => virtApi.close());
    }

    const crds = opts.crds === false ? [] : opts.crds === true || opts.crds === undefined ? crdManifests() : opts.crds;
    await installCrds(client, crds);

    const kubectl = async (args: string[], o: KubectlOptions = {}): Promise<CommandResult> => {
      const cfg = o.user ? await kubeconfigFor(o.user, join(dir, `${o.user.replace(/[^a-z0-9-]/gi, '_')}.kubeconfig`)) : kubeconfigPath;
      return kubectlAt(cfg, args, o);
    };

    return {
      dir,
      endpoint,
      kubeconfigPath,
      client,
      get apiServerRunning() {
        return apiserver.running;
      },
      get controllerManagerPid() {
        return controllerManager?.running ? controllerManager.pid : undefined;
      },
      kubelet,
      endpointFor,
      kubectl,
      stopApiServer: () => apiserver.stop(),
      startApiServer,
      stopControlPlane: async () => {
        await controllerManager?.stop();
        await apiserver.stop();
      },
      startControlPlane: async () => {
        await startApiServer();
        await startControllerManager();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Runs kubectl with only the given kubeconfig; never rejects on a non-zero exit. */
export async function kubectlAt(kubeconfig: string, args: string[], o: Omit<KubectlOptions, 'user'> = {}): Promise<CommandResult> {
  const input = o.input;
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env.HOME ?? '/root', KUBECTL_COMMAND_HEADERS: 'false', ...o.env };
  return new Promise((resolve) => {
    const child = execFile(binPath('kubectl'), args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function etcdHealthy(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { health?: string };
  return res.ok && body.health === 'true';
}

/** The controller-manager serves /healthz with a self-signed cert it made; nothing to pin on loopback. */
function healthzInsecure(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'ok'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function installCrds(client: KubeHttpClient, crds: CrdManifest[]): Promise<void> {
  for (const crd of crds) await client.json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
  const deadline = Date.now() + readyTimeoutMs;
  // Established is not enough: the first requests after it can still answer 503
  // "storage is (re)initializing", so wait until each resource lists.
  for (const crd of crds) {
    const list = `/apis/${crd.spec.group}/${crd.spec.versions[0]!.name}/${String(crd.spec.names.plural)}`;
    while ((await client.request('GET', list)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not served after ${readyTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// The twin over a real control plane: the fidelity bed (etcd, kube-apiserver,
// kube-controller-manager, exec kubelet, virt-api) with the twin's scenario built and its
// controllers running through HttpTwinApi as the user fallow-twin, and the Harvester front
// (harness/harvester-front.ts) as the cluster endpoint fallow talks to.
//
// What is real here: storage, admission, validation, RBAC, watch semantics, the Deployment,
// ReplicaSet, garbage-collector, namespace and service-account controllers, and the
// apiserver's exec path to a kubelet. What the twin models: node power and kubelets (there
// is no real kubelet or scheduler), node lifecycle, DaemonSets and StatefulSets (kcm's
// would replace the scenario's pods, which carry no controller-revision-hash), KubeVirt,
// Longhorn, Harvester, Rancher and etcd. When the twin's etcd loses quorum or no
// control-plane node runs, the real apiserver and controller-manager are stopped, and
// started again (a fresh controller-manager) on recovery.
import { writeKubeconfigFile } from '../../src/twin/apiserver/kubeconfig.js';
import type { Reachability } from '../../src/twin/controllers/apireach.js';
import { HttpTwinApi } from '../../src/twin/http-api.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { loadScenarioFile } from '../../src/twin/scenario/load.js';
import type { Scenario } from '../../src/twin/scenario/schema.js';
import type { KObject } from '../../src/twin/store/types.js';
import { join } from 'node:path';
import { startFidelityBed, type FidelityBed } from './harness.js';
import { defaultDisabledControllers } from './harness/control-plane.js';
import type { BedUser } from './harness/credentials.js';
import { startHarvesterFront, type HarvesterFront } from './harness/harvester-front.js';

/** kcm controllers the twin models itself (see the header). */
export const twinModelledControllers = ['daemonset', 'statefulset'];

export interface TwinOverBedOptions {
  scenarioPath: string;
  /**
   * Modelled time runs this many times faster than wall time. Lower than the unit tests'
   * 200: stopping and starting the real apiserver takes seconds of wall time, which must
   * stay well inside fallow's waits (15–20 modelled minutes for the API after power-on).
   */
  scale?: number;
  users?: BedUser[];
}

export interface TwinOverBed {
  bed: FidelityBed;
  twin: Twin;
  front: HarvesterFront;
  /** Reachability changes the harness acted on, in order (stop/start of the apiserver). */
  outages: { state: Reachability; wallMs: number }[];
  /** Exec commands that reached the twin through the apiserver's kubelet path ("ns/pod: cmd"). */
  execs: string[];
  /** Resolves once the apiserver stop/start for the last reachability change is done. */
  reachabilitySettled(): Promise<void>;
  /** A kubeconfig for `user` whose server is the Harvester front. */
  kubeconfigFor(user: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The scenario with its node IPs moved onto loopback (127.0.1.x): kube-apiserver reaches a
 * node's kubelet (for exec) at its InternalIP, and the bed stays on loopback. Every IP the
 * twin reports and fallow records is then the loopback one, so fallow's before/after IP
 * checks still compare like with like.
 */
export function onLoopback(s: Scenario): Scenario {
  return { ...s, nodes: s.nodes.map((n, i) => ({ ...n, ip: `127.0.1.${i + 1}` })) };
}

export async function startTwinOverBed(opts: TwinOverBedOptions): Promise<TwinOverBed> {
  const scenario = onLoopback(await loadScenarioFile(opts.scenarioPath));
  let twin: Twin | undefined;
  const execs: string[] = [];
  const bed = await startFidelityBed({
    controllers: ['*', ...[...defaultDisabledControllers, ...twinModelledControllers].map((c) => `-${c}`)],
    exec: (pod, container, command) => {
      if (!twin) throw new Error('the twin is still starting');
      execs.push(`${pod.metadata.namespace}/${pod.metadata.name}: ${command.join(' ')}`);
      return twin.exec(pod, container, command);
    },
    kubeletAddresses: scenario.nodes.map((n) => n.ip),
    ...(opts.users ? { users: opts.users } : {}),
  });
  const api = new HttpTwinApi(bed.endpointFor('fallow-twin'), { maxBackoffMs: 300 });
  const outages: TwinOverBed['outages'] = [];
  let lastChange = Promise.resolve();
  let front: HarvesterFront | undefined;
  try {
    twin = await startTwin({
      scenario,
      scale: opts.scale ?? 50,
      api,
      realControllerManager: true,
      kubeletPort: bed.kubelet!.port,
      onReachability: (state) => {
        const up = state === 'up';
        // Chained here as well, so reachabilitySettled also waits for changes still queued.
        lastChange = lastChange.then(async () => {
          if (up === bed.apiServerRunning) return;
          outages.push({ state, wallMs: Date.now() });
          if (up) await bed.startControlPlane();
          else await bed.stopControlPlane();
        });
        return lastChange;
      },
    });
    const t = twin;
    front = await startHarvesterFront({
      upstream: { server: bed.endpoint.server, caPem: bed.endpoint.caPem },
      routes: [
        {
          method: 'GET',
          path: /^\/v1\/harvester\/supportbundles\/([^/]+)\/download$/,
          authorize: (m) => ({ verb: 'get', group: 'harvesterhci.io', resource: 'supportbundles', namespace: 'harvester-system', name: decodeURIComponent(m[1] ?? '') }),
          handle: (req, res, m) => t.controllers.bundles.download(req, res, m),
        },
      ],
    });
    await steady(bed, t);
  } catch (err) {
    await front?.close();
    await twin?.stop();
    api.close();
    await bed.stop();
    throw err;
  }
  const f = front;
  const tw = twin;
  return {
    bed,
    twin: tw,
    front: f,
    outages,
    execs,
    reachabilitySettled: () => lastChange,
    kubeconfigFor: async (user) => {
      const path = join(bed.dir, `front-${user.replace(/[^a-z0-9-]/gi, '_')}.kubeconfig`);
      const ep = f.endpoint(bed.endpointFor(user).token);
      await writeKubeconfigFile(path, { server: ep.server, caPem: ep.caPem, user, token: ep.token, context: 'harvester' });
      return path;
    },
    stop: async () => {
      await f.close();
      await tw.stop();
      api.close();
      await bed.stop();
    },
  };
}

/**
 * Waits until the cluster is in the steady state the scenario describes: the twin's
 * controllers idle and every Deployment available as kube-controller-manager sees it
 * (it adopts the scenario's ReplicaSets and pods, then writes their status).
 */
async function steady(bed: FidelityBed, twin: Twin, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    await twin.settle(timeoutMs);
    const list = await bed.client.json<{ items: (KObject & { spec?: { replicas?: number }; status?: { observedGeneration?: number; availableReplicas?: number } })[] }>('GET', '/apis/apps/v1/deployments');
    pending = list.items
      .filter((d) => (d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1) || (d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 1))
      .map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the twin over the real control plane did not reach its steady state in ${timeoutMs} ms: deployments not available: ${pending.join(', ')}`);
}

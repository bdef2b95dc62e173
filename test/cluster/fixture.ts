// A throwaway twin API server over a store this file seeds (nodes, etcd pods, Rancher,
// a VM, addons, a volume), with an etcdctl exec handler, for the cluster layer's tests.
// The full twin (controllers, scenarios) is not needed for these.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../src/common/harvester-types.js';
import { connect, type ConnectOptions, type Connection } from '../../src/cluster/connect.js';
import { RequestRecorder } from '../../src/cluster/recorder.js';
import { startApiServer, type ApiServerOptions, type ExecHandler, type TwinApiServer } from '../../src/twin/apiserver/index.js';
import { allTwinTypes, builtinTypes } from '../../src/twin/resources.js';
import { Store } from '../../src/twin/store/store.js';

export function put(store: Store, obj: KObject): KObject {
  return store.create(store.typeOfKind(obj.apiVersion, obj.kind), obj);
}

export const etcdIds = { harv1: 14341573064102406601n, harv2: 15781749281899893586n };

/** etcdctl endpoint status --cluster -w json with harv1 leading; move-leader records its target. */
export function etcdExec(state: { leader: 'harv1' | 'harv2'; moves: string[][] }): ExecHandler {
  return async (_pod, _container, command) => {
    const args = command.slice(command.indexOf('etcdctl') + 1);
    if (args.includes('move-leader')) {
      state.moves.push(args.filter((a) => !a.startsWith('/var/lib')));
      const target = args[args.indexOf('move-leader') + 1];
      state.leader = target === etcdIds.harv2.toString(16) ? 'harv2' : 'harv1';
      return { stdout: `Leadership transferred\n`, stderr: '', exitCode: 0 };
    }
    if (args[0] === 'endpoint' && args[1] === 'status') {
      const lead = etcdIds[state.leader].toString();
      const row = (ip: string, id: bigint) =>
        `{"Endpoint":"https://${ip}:2379","Status":{"header":{"cluster_id":1,"member_id":${id},"revision":9,"raft_term":7},"version":"3.5.9","dbSize":3400,"leader":${lead},"raftIndex":100,"raftTerm":7,"raftAppliedIndex":100,"dbSizeInUse":1000}}`;
      return { stdout: `[${row('10.0.0.1', etcdIds.harv1)},${row('10.0.0.2', etcdIds.harv2)}]\n`, stderr: '', exitCode: 0 };
    }
    return { stdout: '', stderr: `Error: unknown command "${args.join(' ')}"`, exitCode: 1 };
  };
}

function node(name: string, ip: string, roles: string[]): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, 'true'])) },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

export function harvesterStore(opts: { harvester?: boolean; historySize?: number } = {}): Store {
  const store = new Store(opts.historySize ? { historySize: opts.historySize } : {});
  for (const t of opts.harvester === false ? builtinTypes : allTwinTypes) store.register(t);
  for (const ns of ['default', 'kube-system', 'cattle-system', 'harvester-system', 'longhorn-system']) {
    put(store, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Active' } });
  }
  put(store, node('harv1', '10.0.0.1', ['control-plane', 'etcd', 'master']));
  put(store, node('harv2', '10.0.0.2', ['control-plane', 'etcd', 'master']));
  put(store, node('harv3', '10.0.0.3', []));
  for (const n of ['harv1', 'harv2']) {
    put(store, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `etcd-${n}`, namespace: 'kube-system', labels: { component: 'etcd' } },
      spec: { nodeName: n, containers: [{ name: 'etcd' }] },
      status: { phase: 'Running' },
    });
  }
  put(store, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'rancher', namespace: 'cattle-system', annotations: { 'management.cattle.io/scale-available': '3' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'rancher' } }, template: { metadata: { labels: { app: 'rancher' } }, spec: { containers: [{ name: 'rancher' }] } } },
    status: { replicas: 3, readyReplicas: 3 },
  });
  if (opts.harvester !== false) {
    put(store, { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name: 'server-version' }, value: 'v1.4.2' });
    put(store, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'vm1', namespace: 'default' },
      spec: { runStrategy: 'Always', template: { spec: {} } },
    });
  }
  return store;
}

export interface Bed {
  store: Store;
  api: TwinApiServer;
  dir: string;
  kubeconfig: string;
  etcd: { leader: 'harv1' | 'harv2'; moves: string[][] };
  recorder: RequestRecorder;
  connect(opts?: Partial<ConnectOptions>): Promise<Connection>;
  close(): Promise<void>;
}

export async function startBed(opts: Partial<ApiServerOptions> & { store?: Store } = {}): Promise<Bed> {
  const etcd = { leader: 'harv1' as 'harv1' | 'harv2', moves: [] as string[][] };
  const store = opts.store ?? harvesterStore();
  const api = await startApiServer({ exec: etcdExec(etcd), ...opts, store });
  const dir = await mkdtemp(join(tmpdir(), 'fallow-cluster-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await api.writeKubeconfig(kubeconfig);
  const recorder = new RequestRecorder();
  const conns: Connection[] = [];
  return {
    store,
    api,
    dir,
    kubeconfig,
    etcd,
    recorder,
    async connect(o = {}) {
      const c = await connect({ kubeconfig, env: {}, recorder, rateLimit: { qps: 0, burst: 1 }, ...o });
      conns.push(c);
      return c;
    },
    async close() {
      for (const c of conns) c.cluster.close();
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

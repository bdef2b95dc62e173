// Test fixture for the twin API server: a store with the twin's types and a small
// Harvester-like cluster, the server on a free loopback port, a client-node KubeConfig
// from the kubeconfig it writes, and a raw HTTPS helper for exact-wire assertions.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../../../src/twin/apiserver/index.js';
import type { ApiServerOptions, TwinApiServer } from '../../../src/twin/apiserver/index.js';
import { allTwinTypes } from '../../../src/twin/resources.js';
import { Store } from '../../../src/twin/store/store.js';
import type { KObject } from '../../../src/twin/store/types.js';

export function typeOf(store: Store, apiVersion: string, kind: string) {
  return store.typeOfKind(apiVersion, kind);
}

export function put(store: Store, obj: KObject): KObject {
  return store.create(store.typeOfKind(obj.apiVersion, obj.kind), obj);
}

export function node(name: string, roles: string[], ready = true): KObject {
  const labels: Record<string, string> = {};
  for (const r of roles) labels[`node-role.kubernetes.io/${r}`] = 'true';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      nodeInfo: { kubeletVersion: 'v1.30.9+rke2r1' },
    },
  };
}

export function pod(namespace: string, name: string, nodeName: string | undefined, phase = 'Running', containers = ['main']): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name.split('-')[0]! } },
    spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: `${c}:1` })) },
    status: {
      phase,
      containerStatuses: containers.map((c) => ({ name: c, ready: phase === 'Running', restartCount: 0, state: phase === 'Running' ? { running: {} } : { waiting: { reason: 'ContainerCreating' } } })),
    },
  };
}

export function deployment(namespace: string, name: string, replicas: number, annotations: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:v1`, env: [{ name: 'A', value: '1' }] }] } },
    },
    status: { replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas },
  };
}

export function vm(namespace: string, name: string, runStrategy: string): KObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace },
    spec: { runStrategy, template: { spec: { terminationGracePeriodSeconds: 180 } } },
    status: { printableStatus: runStrategy === 'Halted' ? 'Stopped' : 'Running', conditions: [{ type: 'Ready', status: runStrategy === 'Halted' ? 'False' : 'True' }] },
  };
}

export function vmi(namespace: string, name: string, phase = 'Running', nodeName = 'harv1'): KObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace },
    spec: { terminationGracePeriodSeconds: 180 },
    status: { phase, nodeName, interfaces: [{ ipAddress: '10.52.0.10' }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'LiveMigratable', status: 'False' }] },
  };
}

/** A store with the twin's types, namespaces and a small cluster. */
export function seededStore(opts: { historySize?: number } = {}): Store {
  const store = new Store(opts.historySize ? { historySize: opts.historySize } : {});
  for (const t of allTwinTypes) store.register(t);
  for (const ns of ['default', 'kube-system', 'cattle-system', 'harvester-system', 'longhorn-system', 'cattle-monitoring-system']) {
    put(store, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Active' } });
  }
  put(store, node('harv1', ['control-plane', 'etcd', 'master']));
  put(store, node('harv2', ['control-plane', 'etcd', 'master']));
  put(store, node('harv3', []));
  put(store, pod('kube-system', 'etcd-harv1', 'harv1', 'Running', ['etcd']));
  put(store, pod('cattle-system', 'rancher-abc', 'harv1'));
  put(store, pod('cattle-system', 'rancher-def', 'harv2'));
  put(store, pod('default', 'pending-pod', undefined, 'Pending'));
  put(store, deployment('cattle-system', 'rancher', 3, { 'management.cattle.io/scale-available': '3' }));
  put(store, deployment('cattle-system', 'cattle-cluster-agent', 2, { 'management.cattle.io/scale-available': '2' }));
  return store;
}

export interface Twin {
  store: Store;
  api: TwinApiServer;
  kc: KubeConfig;
  kubeconfigPath: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTwin(opts: Partial<ApiServerOptions> = {}, store: Store = seededStore()): Promise<Twin> {
  const api = await startApiServer({ store, ...opts });
  const dir = await mkdtemp(join(tmpdir(), 'fallow-apiserver-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await api.writeKubeconfig(kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    store,
    api,
    kc,
    kubeconfigPath,
    dir,
    close: async () => {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/** One HTTPS request with the server's CA; token defaults to the admin's ('' sends none). */
export function raw(api: TwinApiServer, method: string, path: string, o: { body?: unknown; headers?: Record<string, string>; token?: string } = {}): Promise<RawResponse> {
  const url = new URL(path, api.url);
  const token = o.token ?? api.adminToken;
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: api.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...o.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

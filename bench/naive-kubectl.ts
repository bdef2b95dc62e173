// The naive operator's kubectl: one method per command the seed article types, each one
// API request through @kubernetes/client-node with the twin's kubeconfig (what kubectl
// itself would send), logged as the command line it stands for. No informers, no
// retries, no parallelism: a command either answers or throws.
import https from 'node:https';
import { Writable } from 'node:stream';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, Exec, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { Etcdctl } from '../src/common/harvester.js';

export interface Obj {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const crd = {
  vm: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines' },
  vmi: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances' },
  addon: { group: 'harvesterhci.io', version: 'v1beta1', plural: 'addons' },
  volume: { group: 'longhorn.io', version: 'v1beta2', plural: 'volumes' },
  bundle: { group: 'harvesterhci.io', version: 'v1beta1', plural: 'supportbundles' },
};

export class NaiveKubectl {
  readonly commands: string[] = [];
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(private readonly kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  static fromFile(path: string): NaiveKubectl {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return new NaiveKubectl(kc);
  }

  private log(cmd: string): void {
    this.commands.push(cmd);
  }

  async getNodes(): Promise<V1Node[]> {
    this.log('kubectl get nodes -A');
    return (await this.core.listNode()).items;
  }

  async getPodsAll(): Promise<V1Pod[]> {
    this.log('kubectl get pods -A');
    return (await this.core.listPodForAllNamespaces()).items;
  }

  async getPods(namespace: string): Promise<V1Pod[]> {
    this.log(`kubectl get pods -n ${namespace}`);
    return (await this.core.listNamespacedPod({ namespace })).items;
  }

  async getDeployment(namespace: string, name: string): Promise<V1Deployment> {
    this.log(`kubectl get deployment -n ${namespace} ${name}`);
    return this.apps.readNamespacedDeployment({ namespace, name });
  }

  async editScaleAvailable(namespace: string, name: string, value: string): Promise<void> {
    this.log(`kubectl edit deployment -n ${namespace} ${name}   # scale-available: "${value}"`);
    await this.apps.patchNamespacedDeployment({ namespace, name, body: { metadata: { annotations: { 'management.cattle.io/scale-available': value } } } }, merge);
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    this.log(`kubectl scale deployment -n ${namespace} ${name} --replicas=${replicas}`);
    await this.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, merge);
  }

  async list(kind: keyof typeof crd, label: string): Promise<Obj[]> {
    this.log(`kubectl get ${label} -A`);
    return ((await this.custom.listClusterCustomObject(crd[kind])) as { items: Obj[] }).items;
  }

  async getVmi(namespace: string, name: string): Promise<Obj | undefined> {
    this.log(`kubectl get vmi -n ${namespace} ${name}`);
    try {
      return (await this.custom.getNamespacedCustomObject({ ...crd.vmi, namespace, name })) as Obj;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  }

  async setAddon(namespace: string, name: string, enabled: boolean): Promise<void> {
    this.log(`kubectl edit addons.harvesterhci.io -n ${namespace} ${name}   # enabled: ${enabled}`);
    await this.custom.patchNamespacedCustomObject({ ...crd.addon, namespace, name, body: { spec: { enabled } } }, merge);
  }

  async getAddon(namespace: string, name: string): Promise<Obj> {
    this.log(`kubectl get addons.harvesterhci.io -n ${namespace} ${name}`);
    return (await this.custom.getNamespacedCustomObject({ ...crd.addon, namespace, name })) as Obj;
  }

  async createBundle(name: string): Promise<void> {
    this.log(`kubectl create -f supportbundle-${name}.yaml`);
    const body = { apiVersion: 'harvesterhci.io/v1beta1', kind: 'SupportBundle', metadata: { name, namespace: 'harvester-system' }, spec: { description: 'naive operator' } };
    await this.custom.createNamespacedCustomObject({ ...crd.bundle, namespace: 'harvester-system', body });
  }

  async getBundle(name: string): Promise<Obj> {
    this.log(`kubectl get supportbundle -n harvester-system ${name}`);
    return (await this.custom.getNamespacedCustomObject({ ...crd.bundle, namespace: 'harvester-system', name })) as Obj;
  }

  async getService(namespace: string, name: string) {
    this.log(`kubectl get service -n ${namespace} ${name}`);
    return this.core.readNamespacedService({ namespace, name });
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    this.log(`kubectl delete pod -n ${namespace} ${name}`);
    await this.core.deleteNamespacedPod({ namespace, name });
  }

  /** virtctl stop|start: PUT on the KubeVirt subresource. */
  async virtctl(action: 'stop' | 'start', namespace: string, name: string): Promise<void> {
    this.log(`virtctl ${action} ${name} --namespace ${namespace}`);
    await this.raw('PUT', `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}/${action}`, '{}');
  }

  /** The Harvester UI's bundle download. */
  async downloadBundle(name: string): Promise<number> {
    this.log(`curl -k https://<vip>/v1/harvester/supportbundles/${name}/download -o bundle.zip`);
    return (await this.raw('GET', `/v1/harvester/supportbundles/${name}/download`)).length;
  }

  /** kubectl exec etcd-<node> -- etcdctl endpoint status --cluster -w table: node IP of the leader. */
  async etcdLeaderIp(node: string): Promise<string | undefined> {
    const cmd = ['env', ...Etcdctl.env, 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags];
    this.log(`kubectl exec -n kube-system etcd-${node} -- ${cmd.join(' ')}`);
    let out = '';
    const stdout = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) });
    await new Promise<void>((resolve, reject) => {
      new Exec(this.kc)
        .exec('kube-system', Etcdctl.podName(node), Etcdctl.container, cmd, stdout, null, null, false, () => resolve())
        .then((ws) => ws.on('close', () => resolve()))
        .catch(reject);
    });
    for (const line of out.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      if (cells[5] === 'true') return /https:\/\/([\d.]+):/.exec(cells[1] ?? '')?.[1];
    }
    return undefined;
  }

  private raw(method: string, path: string, body?: string): Promise<Buffer> {
    const url = new URL(this.kc.getCurrentCluster()!.server);
    return new Promise((resolve, reject) => {
      const opts: https.RequestOptions = { method, hostname: url.hostname, port: url.port, path, headers: { 'content-type': 'application/json', accept: 'application/json' } };
      void this.kc.applyToHTTPSOptions(opts).then(() => {
        const req = https.request(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      }, reject);
    });
  }
}

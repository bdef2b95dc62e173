// The parts of a scenario that hold data: addons (enabled ones running their charts, with
// Longhorn-backed PVCs) and VMs (a VM per entry, a PVC + PV + Longhorn volume + replicas per
// disk, and for running VMs a VMI and virt-launcher pod on a node with the volumes attached).
import { Labels, NodeDriverCreator } from '../../common/harvester.js';
import type { PodObject } from '../../common/harvester-types.js';
import { addonObjects, workloadsOf, type AddonWorkload } from '../controllers/addons.js';
import { podIp } from '../controllers/kubelet.js';
import { VmiFinalizers } from '../controllers/kubevirt/vm.js';
import type { GuestProfile } from '../controllers/kubevirt/vmi.js';
import { longhornVolume, persistentVolume, placeReplicas, replicas, volumeName, type VolumePlan } from '../controllers/longhorn/objects.js';
import { podFromTemplate, templateHash, type PodTemplate, type WorkloadLike } from '../controllers/workloads/template.js';
import type { KObject } from '../store/types.js';
import type { BuildContext } from './build-context.js';
import type { ScenarioVm } from './schema.js';

const replicaLoad = new WeakMap<BuildContext, Map<string, number>>();

/** A bound PVC with its PV, Longhorn volume and replicas; attached when a pod uses it. */
async function boundPvc(b: BuildContext, ns: string, name: string, size: string, nReplicas: number, labels: Record<string, string>, user?: VolumePlan['workload']): Promise<string> {
  let load = replicaLoad.get(b);
  if (!load) replicaLoad.set(b, (load = new Map()));
  const pvc = await b.create<KObject>({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns, labels, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/storage-provisioner': 'driver.longhorn.io' } },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: size } }, storageClassName: 'harvester-longhorn', volumeMode: 'Block' },
    status: { phase: 'Bound', accessModes: ['ReadWriteMany'], capacity: { storage: size } },
  });
  const plan: VolumePlan = {
    pvcNamespace: ns,
    pvcName: name,
    pvcUid: pvc.metadata.uid!,
    size,
    replicas: nReplicas,
    nodes: placeReplicas(b.dataNodes(), nReplicas, load),
    replicaIds: Array.from({ length: nReplicas }, () => b.rng.hex(8)),
    ...(user ? { workload: user } : {}),
  };
  await b.api.patch(pvc, ns, name, { spec: { volumeName: volumeName(plan.pvcUid) } });
  await b.create(persistentVolume(plan));
  const attached = user && b.on.has(user.node) ? user.node : undefined;
  await b.create(longhornVolume(plan, { ...(attached ? { attachedTo: attached } : {}), now: new Date(b.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') }));
  for (const r of replicas(plan, Boolean(attached))) await b.create(r);
  return name;
}

export async function buildAddons(b: BuildContext): Promise<Map<string, AddonWorkload[]>> {
  const catalog = new Map<string, AddonWorkload[]>();
  const since = new Date(b.clock.now() - 86_400_000 * 7).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const a of b.scenario.addons) {
    const workloads = workloadsOf(a);
    catalog.set(`${a.namespace}/${a.name}`, workloads);
    await b.aged(30, () =>
      b.create({
        apiVersion: 'harvesterhci.io/v1beta1',
        kind: 'Addon',
        metadata: { name: a.name, namespace: a.namespace, labels: a.experimental ? { 'addon.harvesterhci.io/experimental': 'true' } : {} },
        spec: { enabled: a.enabled, repo: a.repo, chart: a.chart, version: a.version, valuesContent: '' },
        status: a.enabled ? { status: 'AddonDeploySuccessful', conditions: [{ type: 'Completed', status: 'True', lastUpdateTime: since }] } : { status: '' },
      }),
    );
    if (!a.enabled) continue;
    for (const w of workloads) await buildAddonWorkload(b, { name: a.name, namespace: a.namespace }, w);
  }
  return catalog;
}

async function buildAddonWorkload(b: BuildContext, addon: { name: string; namespace: string }, w: AddonWorkload): Promise<void> {
  const [first, second] = addonObjects(addon, w);
  const workload = (second ?? first) as WorkloadLike;
  const ns = addon.namespace;
  const candidates = b.dataNodes().filter((n) => b.on.has(n));
  const template = workload.spec?.template;
  if (w.kind === 'Deployment') return buildAddonDeployment(b, ns, workload, w, candidates);
  const owner = await b.create<WorkloadLike>({ ...workload });
  if (w.kind === 'DaemonSet') {
    for (const node of candidates) await b.runningPod(owner, template, `${w.name}-${b.rng.suffix()}`, node);
    return;
  }
  if (w.kind === 'StatefulSet') {
    for (let i = 0; i < w.replicas; i++) {
      const node = b.spread(candidates);
      const podName = `${w.name}-${i}`;
      const volumes = [...(template?.spec?.volumes ?? [])];
      if (w.pvcSize) {
        const claim = await boundPvc(b, ns, `data-${w.name}-${i}`, w.pvcSize, 3, { app: w.name }, { podName, workloadName: w.name, workloadType: 'StatefulSet', node });
        volumes.push({ name: 'data', persistentVolumeClaim: { claimName: claim } });
      }
      await b.runningPod(owner, template, podName, node, { labels: { 'statefulset.kubernetes.io/pod-name': podName }, spec: { volumes } });
    }
    return;
  }
}

/** A chart's Deployment: a ReplicaSet, its pods, and the chart's PVC mounted by the first pod. */
async function buildAddonDeployment(b: BuildContext, ns: string, workload: WorkloadLike, w: AddonWorkload, candidates: string[]): Promise<void> {
  const template = workload.spec?.template;
  const hash = templateHash(template);
  const rsTemplate: PodTemplate = { ...template, metadata: { labels: { ...(template?.metadata?.labels ?? {}), 'pod-template-hash': hash } } };
  const rsName = `${w.name}-${hash}`;
  await b.deploymentBottomUp(
    { ...workload },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: ns, labels: rsTemplate.metadata?.labels ?? {} },
      spec: { replicas: w.replicas, selector: { matchLabels: { app: w.name, 'pod-template-hash': hash } }, template: rsTemplate },
    },
    async () => {
      const pods: string[] = [];
      for (let i = 0; i < w.replicas; i++) {
        const node = b.spread(candidates);
        const podName = `${rsName}-${b.rng.suffix()}`;
        if (i === 0 && w.pvcSize) await boundPvc(b, ns, w.name, w.pvcSize, 3, { app: w.name }, { podName, workloadName: rsName, workloadType: 'ReplicaSet', node });
        pods.push((await b.orphanPod(ns, rsName, rsTemplate, podName, node)).metadata.name);
      }
      return pods;
    },
  );
}

export async function buildVms(b: BuildContext): Promise<Map<string, GuestProfile>> {
  const profiles = new Map<string, GuestProfile>();
  const hosts = b.dataNodes().filter((n) => b.on.has(n));
  for (const vm of b.scenario.vms) {
    const key = `${vm.namespace}/${vm.name}`;
    if (vm.bootSeconds || vm.shutdownSeconds) profiles.set(key, { ...(vm.bootSeconds ? { bootSeconds: vm.bootSeconds } : {}), ...(vm.shutdownSeconds ? { shutdownSeconds: vm.shutdownSeconds } : {}) });
    await b.aged(b.rng.int(1, 40), () => buildVm(b, vm, hosts));
  }
  return profiles;
}

function runningAtStart(vm: ScenarioVm, strategy: string | undefined): boolean {
  if (vm.state) return vm.state === 'Running';
  if (strategy) return strategy !== 'Halted';
  return vm.running ?? false;
}

async function buildVm(b: BuildContext, vm: ScenarioVm, hosts: string[]): Promise<void> {
  const strategy = vm.runStrategy ?? (vm.running === undefined ? 'RerunOnFailure' : undefined);
  const running = runningAtStart(vm, strategy) && hosts.length > 0;
  const node = running ? (vm.node && hosts.includes(vm.node) ? vm.node : b.spread(hosts)) : undefined;
  const launcherName = `virt-launcher-${vm.name}-${b.rng.suffix()}`;
  const labels: Record<string, string> = { ...vm.labels };
  if (vm.guestCluster) {
    Object.assign(labels, {
      [Labels.vmCreator]: NodeDriverCreator,
      [Labels.guestClusterName]: vm.guestCluster,
      [Labels.machineSetName]: `fleet-default-${vm.guestCluster}-pool1`,
      [Labels.nodePoolName]: `${vm.guestCluster}-pool1`,
    });
  } else labels[Labels.vmCreator] ??= 'harvester';

  const claims: string[] = [];
  for (const [i, disk] of vm.disks.entries()) {
    const claim = `${vm.name}-disk-${i}-${b.rng.suffix()}`;
    const user = node ? { podName: launcherName, workloadName: vm.name, workloadType: 'VirtualMachineInstance', node } : undefined;
    claims.push(await boundPvc(b, vm.namespace, claim, disk.size, Math.min(disk.replicas, b.dataNodes().length), { 'harvesterhci.io/vmName': vm.name }, user));
  }
  const volumes = [
    ...claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c } })),
    ...(claims.length === 0 ? [{ name: 'rootdisk', containerDisk: { image: 'quay.io/kubevirt/cirros-container-disk-demo:v1.3.1' } }] : []),
    { name: 'cloudinitdisk', cloudInitNoCloud: { secretRef: { name: `${vm.name}-cloudinit` } } },
  ];
  const templateSpec = {
    domain: {
      cpu: { cores: vm.cpu, sockets: 1, threads: 1 },
      memory: { guest: vm.memory },
      resources: { limits: { cpu: String(vm.cpu), memory: vm.memory } },
      devices: {
        disks: volumes.map((v, i) => ({ name: v.name, disk: { bus: 'virtio' }, ...(i === 0 ? { bootOrder: 1 } : {}) })),
        interfaces: [{ name: 'default', model: 'virtio', bridge: {}, macAddress: macFor(vm.name) }],
      },
    },
    evictionStrategy: 'LiveMigrateIfPossible',
    hostname: vm.name,
    networks: [{ name: 'default', multus: { networkName: vm.network } }],
    volumes,
    terminationGracePeriodSeconds: vm.terminationGracePeriodSeconds,
  };
  const spec = { ...(strategy ? { runStrategy: strategy } : { running: vm.running }), template: { metadata: { labels: { 'harvesterhci.io/vmName': vm.name } }, spec: templateSpec } };
  const vmObj = await b.create<KObject>({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: vm.name, namespace: vm.namespace, labels, annotations: { [`harvesterhci.io/vmRunStrategy`]: strategy ?? (vm.running ? 'Always' : 'Halted'), 'kubevirt.io/latest-observed-api-version': 'v1' }, finalizers: ['harvesterhci.io/VMController.UnsetOwnerOfPVCs'] },
    spec,
    status: {
      printableStatus: node ? 'Running' : 'Stopped',
      ready: Boolean(node),
      created: Boolean(node),
      runStrategy: strategy ?? (vm.running ? 'Always' : 'Halted'),
      conditions: [node ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist' }],
    },
  });
  if (!node) return;
  const ip = podIp(`${vm.namespace}/${launcherName}`);
  const since = new Date(b.clock.now() - b.rng.int(3600, 30 * 86_400) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const vmi = await b.create<KObject>({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      name: vm.name,
      namespace: vm.namespace,
      labels: { 'harvesterhci.io/vmName': vm.name, 'kubevirt.io/nodeName': node, 'kubevirt.io/vm': vm.name },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: vm.name, uid: vmObj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      finalizers: [...VmiFinalizers],
    },
    spec: templateSpec,
    status: {
      phase: 'Running',
      nodeName: node,
      interfaces: [{ name: 'default', ipAddress: ip, ipAddresses: [ip], mac: macFor(vm.name), infoSource: 'domain, guest-agent' }],
      conditions: [
        { type: 'Ready', status: b.on.has(node) ? 'True' : 'False', lastTransitionTime: since },
        { type: 'LiveMigratable', status: 'True', lastTransitionTime: since },
      ],
      phaseTransitionTimestamps: [{ phase: 'Running', phaseTransitionTimestamp: since }],
    },
  });
  const launcher: PodObject = podFromTemplate(vmi, { metadata: { labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': vmi.metadata.uid!, 'vm.kubevirt.io/name': vm.name, 'harvesterhci.io/vmName': vm.name } }, spec: {} }, launcherName, {
    spec: {
      containers: [{ name: 'compute', image: 'registry.suse.com/suse/sles/15.6/virt-launcher:1.3.1' }],
      nodeSelector: { 'kubevirt.io/schedulable': 'true' },
      volumes: claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c } })),
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: vm.terminationGracePeriodSeconds + 30,
    },
  });
  launcher.metadata.annotations = { 'kubevirt.io/domain': vm.name, 'kubectl.kubernetes.io/default-container': 'compute' };
  await b.startPod(launcher, node);
}

function macFor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) >>> 0;
  return ['52', '54', '00', ((h >>> 16) & 0xff).toString(16).padStart(2, '0'), ((h >>> 8) & 0xff).toString(16).padStart(2, '0'), (h & 0xff).toString(16).padStart(2, '0')].join(':');
}

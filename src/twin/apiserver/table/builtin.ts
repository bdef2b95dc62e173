// Table columns of the built-in kinds, as kube-apiserver's printers produce them (the
// columns `kubectl get` shows): nodes, pods, services, deployments and the other kinds
// the twin serves. Only the column logic the seed's outputs depend on is reproduced;
// wide columns are included with priority 1.
import type { KObject } from '../../store/types.js';
import { age } from './duration.js';

export interface ColumnDef {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean | null;

export interface Printer {
  columns: ColumnDef[];
  row(obj: KObject, now: number): Cell[];
}

export const nameColumn: ColumnDef = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
  priority: 0,
};

function col(name: string, type = 'string', priority = 0, description = ''): ColumnDef {
  return { name, type, format: '', description, priority };
}

const ageCol = col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/* eslint-disable @typescript-eslint/no-explicit-any -- printers read loosely shaped objects, like kubectl's unstructured access */
type Any = any;

const s = (o: KObject): Any => o.spec ?? {};
const st = (o: KObject): Any => o.status ?? {};
const created = (o: KObject, now: number) => age(o.metadata.creationTimestamp, now);

function nodeStatus(o: KObject): string {
  const parts: string[] = [];
  const ready = (st(o).conditions ?? []).find((c: Any) => c.type === 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (!parts.length) parts.push('Unknown');
  if (s(o).unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(o: KObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(o: KObject, type: string): string {
  return (st(o).addresses ?? []).find((a: Any) => a.type === type)?.address ?? '<none>';
}

/** Pod READY, STATUS and RESTARTS as kubectl's printPod computes them. */
function podCells(o: KObject, now: number): [string, string, string] {
  const spec = s(o);
  const status = st(o);
  const total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = status.reason || status.phase || 'Pending';
  const statuses: Any[] = status.containerStatuses ?? [];
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i];
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
    const state = c.state ?? {};
    if (state.waiting?.reason) reason = state.waiting.reason;
    else if (state.terminated?.reason) reason = state.terminated.reason;
    else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode ?? 0}`;
    else if (c.ready && state.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    reason = (status.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (o.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (o.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  const restartCell = lastRestart ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  return [`${ready}/${total}`, reason, restartCell];
}

function servicePorts(o: KObject): string {
  const ports: Any[] = s(o).ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function serviceExternalIp(o: KObject): string {
  const spec = s(o);
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress: Any[] = st(o).loadBalancer?.ingress ?? [];
      let lb = ingress.map((i) => i.ip || i.hostname).filter(Boolean).join(',');
      if (lb.length > 16) lb = lb.slice(0, 13) + '...';
      const all = [...(lb ? lb.split(',') : []), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const accessModes: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const modes = (list: string[] | undefined) => (list ?? []).map((m) => accessModes[m] ?? m).join(',');

function containersAndImages(o: KObject): [string, string] {
  const cs: Any[] = s(o).template?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

function selector(o: KObject): string {
  const m = s(o).selector?.matchLabels ?? s(o).selector ?? {};
  const parts = Object.entries(m).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}=${v as string}`);
  return parts.length ? parts.join(',') : '<none>';
}

export const builtinPrinters: Record<string, Printer> = {
  'v1/Node': {
    columns: [nameColumn, col('Status'), col('Roles'), ageCol, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    row: (o, now) => {
      const info = st(o).nodeInfo ?? {};
      return [o.metadata.name, nodeStatus(o), nodeRoles(o), created(o, now), info.kubeletVersion ?? '', nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  'v1/Pod': {
    columns: [nameColumn, col('Ready'), col('Status'), col('Restarts'), ageCol, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    row: (o, now) => {
      const [ready, status, restarts] = podCells(o, now);
      return [o.metadata.name, ready, status, restarts, created(o, now), st(o).podIP || '<none>', s(o).nodeName || '<none>', st(o).nominatedNodeName || '<none>', '<none>'];
    },
  },
  'v1/Service': {
    columns: [nameColumn, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), ageCol, col('Selector', 'string', 1)],
    row: (o, now) => [o.metadata.name, s(o).type ?? 'ClusterIP', s(o).clusterIP || '<none>', serviceExternalIp(o), servicePorts(o), created(o, now), selector(o)],
  },
  'v1/ConfigMap': {
    columns: [nameColumn, col('Data', 'integer'), ageCol],
    row: (o, now) => [o.metadata.name, Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length, created(o, now)],
  },
  'v1/Secret': {
    columns: [nameColumn, col('Type'), col('Data', 'integer'), ageCol],
    row: (o, now) => [o.metadata.name, (o.type as string) ?? 'Opaque', Object.keys((o.data as object) ?? {}).length, created(o, now)],
  },
  'v1/Namespace': {
    columns: [nameColumn, col('Status'), ageCol],
    row: (o, now) => [o.metadata.name, st(o).phase ?? 'Active', created(o, now)],
  },
  'v1/Event': {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('First Seen', 'string', 1), col('Count', 'string', 1), { ...nameColumn, priority: 1 }],
    row: (o: Any, now) => {
      const last = o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
      const inv = o.involvedObject ?? {};
      return [age(last, now), o.type ?? '', o.reason ?? '', `${String(inv.kind ?? '').toLowerCase()}/${inv.name ?? ''}`, o.message ?? '', inv.fieldPath ?? '', o.source?.component ?? '', age(o.firstTimestamp ?? last, now), String(o.count ?? 1), o.metadata.name];
    },
  },
  'v1/PersistentVolumeClaim': {
    columns: [nameColumn, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'), ageCol, col('VolumeMode', 'string', 1)],
    row: (o, now) => [o.metadata.name, st(o).phase ?? 'Pending', s(o).volumeName ?? '', st(o).capacity?.storage ?? '', modes(st(o).accessModes), s(o).storageClassName ?? '', s(o).volumeAttributesClassName ?? '<unset>', created(o, now), s(o).volumeMode ?? 'Filesystem'],
  },
  'v1/PersistentVolume': {
    columns: [nameColumn, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'), col('VolumeAttributesClass'), col('Reason'), ageCol, col('VolumeMode', 'string', 1)],
    row: (o, now) => {
      const ref = s(o).claimRef;
      return [o.metadata.name, s(o).capacity?.storage ?? '', modes(s(o).accessModes), s(o).persistentVolumeReclaimPolicy ?? 'Retain', st(o).phase ?? 'Pending', ref ? `${ref.namespace}/${ref.name}` : '', s(o).storageClassName ?? '', s(o).volumeAttributesClassName ?? '<unset>', st(o).reason ?? '', created(o, now), s(o).volumeMode ?? 'Filesystem'];
    },
  },
  'apps/v1/Deployment': {
    columns: [nameColumn, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), ageCol, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row: (o, now) => [o.metadata.name, `${st(o).readyReplicas ?? 0}/${s(o).replicas ?? 1}`, st(o).updatedReplicas ?? 0, st(o).availableReplicas ?? 0, created(o, now), ...containersAndImages(o), selector(o)],
  },
  'apps/v1/ReplicaSet': {
    columns: [nameColumn, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), ageCol, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row: (o, now) => [o.metadata.name, s(o).replicas ?? 1, st(o).replicas ?? 0, st(o).readyReplicas ?? 0, created(o, now), ...containersAndImages(o), selector(o)],
  },
  'apps/v1/StatefulSet': {
    columns: [nameColumn, col('Ready'), ageCol, col('Containers', 'string', 1), col('Images', 'string', 1)],
    row: (o, now) => [o.metadata.name, `${st(o).readyReplicas ?? 0}/${s(o).replicas ?? 1}`, created(o, now), ...containersAndImages(o)],
  },
  'apps/v1/DaemonSet': {
    columns: [nameColumn, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), ageCol, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row: (o, now) => {
      const ns = Object.entries(s(o).template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v as string}`).join(',') || '<none>';
      const x = st(o);
      return [o.metadata.name, x.desiredNumberScheduled ?? 0, x.currentNumberScheduled ?? 0, x.numberReady ?? 0, x.updatedNumberScheduled ?? 0, x.numberAvailable ?? 0, ns, created(o, now), ...containersAndImages(o), selector(o)];
    },
  },
};

/** Kinds without a printer get upstream's default columns: Name and Created At. */
export const defaultPrinter: Printer = {
  columns: [nameColumn, { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
  row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};

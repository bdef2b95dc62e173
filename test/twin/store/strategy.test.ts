// The registry strategies the store applies on write: defaults per built-in kind (values
// measured on kube-apiserver v1.34 by test/fidelity), generation tracking, initial status,
// server-assigned fields, and deletion's generation bump.
import { describe, expect, it } from 'vitest';
import { allTwinTypes } from '../../../src/twin/resources.js';
import { Store } from '../../../src/twin/store/store.js';
import { qosClass } from '../../../src/twin/store/strategy.js';
import type { KObject } from '../../../src/twin/store/types.js';

function store(): Store {
  const s = new Store({ now: () => Date.parse('2026-01-01T00:00:00Z') });
  for (const t of allTwinTypes) s.register(t);
  return s;
}

function create(s: Store, obj: Omit<KObject, 'metadata'> & { metadata?: Partial<KObject['metadata']> }): KObject {
  const o = { ...obj, metadata: { name: 'x', namespace: 'ns', ...obj.metadata } } as KObject;
  return s.create(s.typeOfKind(o.apiVersion, o.kind), o);
}

const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'img' }] } };
const templateDefaults = {
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  securityContext: {},
  schedulerName: 'default-scheduler',
  containers: [{ name: 'c', image: 'img', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
};

describe('defaults on create, per kind', () => {
  const cases: [string, Omit<KObject, 'metadata'> & { metadata?: Partial<KObject['metadata']> }, Record<string, unknown>][] = [
    [
      'Deployment',
      { apiVersion: 'apps/v1', kind: 'Deployment', spec: { selector: {}, template } },
      {
        spec: {
          replicas: 1,
          selector: {},
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
          template: { ...template, spec: templateDefaults },
        },
        status: {},
      },
    ],
    ['Deployment, Recreate', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 0, strategy: { type: 'Recreate' } } }, { spec: expect.objectContaining({ replicas: 0, strategy: { type: 'Recreate' } }) }],
    ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { template } }, { spec: { replicas: 1, template: { ...template, spec: templateDefaults } }, status: { replicas: 0 } }],
    [
      'DaemonSet',
      { apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { template } },
      {
        metadata: expect.objectContaining({ annotations: { 'deprecated.daemonset.template.generation': '1' } }),
        spec: { revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, template: { ...template, spec: templateDefaults } },
        status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
      },
    ],
    [
      'StatefulSet',
      { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { serviceName: 's', template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] } },
      {
        spec: expect.objectContaining({
          replicas: 1,
          podManagementPolicy: 'OrderedReady',
          revisionHistoryLimit: 10,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
        }),
        status: { replicas: 0, availableReplicas: 0 },
      },
    ],
    [
      'Service',
      { apiVersion: 'v1', kind: 'Service', spec: { type: 'NodePort', ports: [{ port: 80 }] } },
      {
        spec: {
          type: 'NodePort',
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30000 }],
          sessionAffinity: 'None',
          internalTrafficPolicy: 'Cluster',
          externalTrafficPolicy: 'Cluster',
          clusterIP: '10.53.0.10',
          clusterIPs: ['10.53.0.10'],
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
        },
        status: { loadBalancer: {} },
      },
    ],
    ['PersistentVolumeClaim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteOnce'] } }, { spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    ['Secret', { apiVersion: 'v1', kind: 'Secret', data: {}, stringData: { a: 'b' } }, { type: 'Opaque', data: { a: 'Yg==' } }],
    [
      'Namespace',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1', namespace: undefined } },
      { metadata: expect.objectContaining({ labels: { 'kubernetes.io/metadata.name': 'n1' } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    ],
  ];
  it.each(cases)('%s', (_kind, input, want) => {
    const out = create(store(), { ...input, metadata: input.metadata ?? {} });
    expect(out).toMatchObject(want);
    for (const k of Object.keys(want)) if (k !== 'metadata') expect(out[k]).toEqual(want[k]);
  });

  it('defaults a Pod: service account, priority, requests from limits, QoS, volumes', () => {
    const p = create(store(), {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        containers: [{ name: 'c', image: 'x:v1', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } }],
        volumes: [{ name: 'cm', configMap: { name: 'x' } }, { name: 'h', hostPath: { path: '/x' } }],
      },
    });
    expect(p.spec).toMatchObject({
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      enableServiceLinks: true,
      containers: [{ imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }],
      volumes: [{ name: 'cm', configMap: { name: 'x', defaultMode: 420 } }, { name: 'h', hostPath: { path: '/x', type: '' } }],
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('keeps a status an in-process creator gives (the twin controllers\' shortcut)', () => {
    const p = create(store(), { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] }, status: { phase: 'Running' } });
    expect(p.status).toEqual({ phase: 'Running' });
  });

  it('allocates distinct cluster IPs and leaves a given one alone', () => {
    const s = store();
    const a = create(s, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 1 }] } });
    const b = create(s, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' }, spec: { clusterIP: '10.53.50.107', ports: [{ port: 1 }] } });
    const c = create(s, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' }, spec: { ports: [{ port: 1 }] } });
    expect([a, b, c].map((x) => (x.spec as { clusterIPs: string[] }).clusterIPs)).toEqual([['10.53.0.10'], ['10.53.50.107'], ['10.53.0.11']]);
  });
});

describe('qosClass', () => {
  const pod = (resources: unknown[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } });
  it.each([
    ['BestEffort', [{}]],
    ['Burstable', [{ requests: { cpu: '1' } }]],
    ['Guaranteed', [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }]],
    ['Burstable', [{ limits: { cpu: '1', memory: '1Gi' } }, {}]],
  ] as const)('%s for %j', (want, resources) => {
    expect(qosClass(pod([...resources]))).toBe(want);
  });
});

describe('generation', () => {
  it('is 1 on tracked kinds and custom resources, absent elsewhere', () => {
    const s = store();
    expect(create(s, { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } }).metadata.generation).toBeUndefined();
    expect(create(s, { apiVersion: 'v1', kind: 'Secret' }).metadata.generation).toBeUndefined();
    expect(create(s, { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } }).metadata.generation).toBe(1);
    expect(create(s, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', spec: {} }).metadata.generation).toBe(1);
  });

  it('cannot be set by an update, and moves per the kind\'s rule', () => {
    const s = store();
    const t = s.typeOfKind('apps/v1', 'ReplicaSet');
    const rs = create(s, { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 1, template } });
    const annotated = s.update(t, { ...rs, metadata: { ...rs.metadata, generation: 9, annotations: { a: '1' } } });
    expect(annotated.metadata.generation).toBe(1); // a ReplicaSet ignores annotations
    const scaled = s.update(t, { ...annotated, spec: { ...(annotated.spec as object), replicas: 2 } });
    expect(scaled.metadata.generation).toBe(2);
    const cmType = s.typeOfKind('v1', 'ConfigMap');
    const cm = create(s, { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
    expect(s.update(cmType, { ...cm, data: { a: 'c' } }).metadata.generation).toBeUndefined();
  });

  it('a DaemonSet counts template changes in its template-generation annotation', () => {
    const s = store();
    const t = s.typeOfKind('apps/v1', 'DaemonSet');
    const ds = create(s, { apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { template } });
    const retemplated = s.update(t, { ...ds, spec: { ...(ds.spec as object), template: { ...template, metadata: { labels: { a: 'c' } } } } });
    expect(retemplated.metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
    expect(retemplated.metadata.generation).toBe(2);
  });

  it('moves once when a deletion starts', () => {
    const s = store();
    const t = s.typeOfKind('kubevirt.io/v1', 'VirtualMachine');
    create(s, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { finalizers: ['f'] }, spec: {} });
    const first = s.delete(t, 'ns', 'x');
    expect(first.metadata).toMatchObject({ generation: 2, deletionGracePeriodSeconds: 0, deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(s.delete(t, 'ns', 'x').metadata.generation).toBe(2);
  });
});

describe('status writes', () => {
  it('take labels, annotations and finalizers from the request on built-ins (a Deployment keeps its labels), nothing but status on a CR', () => {
    const s = store();
    const dt = s.typeOfKind('apps/v1', 'Deployment');
    const d = create(s, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { labels: { l: '1' }, annotations: { a: '1' } }, spec: { template } });
    const dOut = s.update(dt, { ...d, metadata: { name: 'x', namespace: 'ns', labels: { l: '2' } }, status: { replicas: 1 } }, { subresource: 'status' });
    expect(dOut.metadata.labels).toEqual({ l: '1' });
    expect(dOut.metadata.annotations).toBeUndefined();
    expect(dOut.status).toEqual({ replicas: 1 });
    const vt = s.typeOfKind('kubevirt.io/v1', 'VirtualMachine');
    const v = create(s, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { labels: { l: '1' } }, spec: {} });
    const vOut = s.update(vt, { ...v, metadata: { name: 'x', namespace: 'ns' }, status: { ready: true } }, { subresource: 'status' });
    expect(vOut.metadata.labels).toEqual({ l: '1' });
    expect(vOut.status).toEqual({ ready: true });
  });

  it('do not finish a deletion whose grace period is running; removing the last finalizer of a held one does', () => {
    const s = store();
    const pt = s.typeOfKind('v1', 'Pod');
    create(s, { apiVersion: 'v1', kind: 'Pod', spec: { nodeName: 'n1', containers: [] } });
    const terminating = s.delete(pt, 'ns', 'x');
    s.update(pt, { ...terminating, status: { phase: 'Running' } }, { subresource: 'status' });
    expect(s.tryGet(pt, 'ns', 'x')?.metadata.deletionGracePeriodSeconds).toBe(30);
    const vt = s.typeOfKind('kubevirt.io/v1', 'VirtualMachine');
    create(s, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { finalizers: ['f'] }, spec: {} });
    const held = s.delete(vt, 'ns', 'x');
    s.update(vt, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    expect(s.tryGet(vt, 'ns', 'x')).toBeUndefined();
  });
});

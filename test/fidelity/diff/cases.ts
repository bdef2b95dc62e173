// The differential cases: representative API requests the tool and the twin's controllers
// make, as data. Each runs in its own namespace ({ns}) against the real kube-apiserver and
// the twin; their normalised answers must match. Covers get/list with selectors, merge /
// JSON / strategic-merge patches, status and scale subresources, optimistic concurrency,
// error shapes, watch resume and 410, graceful and finalizer-held deletion.
import type { DiffCase, RequestStep } from './runner.js';

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

const cms = '/api/v1/namespaces/{ns}/configmaps';
const deploys = '/apis/apps/v1/namespaces/{ns}/deployments';
const pods = '/api/v1/namespaces/{ns}/pods';
const vms = '/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines';
const addons = '/apis/harvesterhci.io/v1beta1/namespaces/{ns}/addons';
const vmSub = '/apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines';
const replicasets = '/apis/apps/v1/namespaces/{ns}/replicasets';
const daemonsets = '/apis/apps/v1/namespaces/{ns}/daemonsets';
const statefulsets = '/apis/apps/v1/namespaces/{ns}/statefulsets';
const services = '/api/v1/namespaces/{ns}/services';
const settings = '/apis/harvesterhci.io/v1beta1/settings';
const nodes = '/api/v1/nodes';

const post = (name: string, path: string, body: unknown, extra: Partial<RequestStep> = {}): RequestStep => ({ kind: 'request', name, method: 'POST', path, body, ...extra });
/** A create whose answer is not under test: only its name is recorded. */
const make = (name: string, path: string, body: unknown): RequestStep => post(name, path, body, { pick: ['metadata.name'] });
const get = (name: string, path: string, extra: Partial<RequestStep> = {}): RequestStep => ({ kind: 'request', name, method: 'GET', path, ...extra });
const patch = (name: string, path: string, contentType: string, body: unknown, extra: Partial<RequestStep> = {}): RequestStep => ({
  kind: 'request',
  name,
  method: 'PATCH',
  path,
  contentType,
  body,
  ...extra,
});
const merge = 'application/merge-patch+json';
const jsonPatch = 'application/json-patch+json';
const strategic = 'application/strategic-merge-patch+json';

const binding = (pod: string, node: string, kind = 'Node') => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: pod }, target: { apiVersion: 'v1', kind, name: node } });
const del = (name: string, path: string, body: unknown, extra: Partial<RequestStep> = {}): RequestStep => ({ kind: 'request', name, method: 'DELETE', path, body, ...extra });
const deleteOptions = (opts: Record<string, unknown>) => ({ kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
/** A dependent ConfigMap owned by the ConfigMap whose uid was captured as {uid:<owner>}. */
const ownedCm = (name: string, owner: string) => ({
  ...cm(name),
  metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: `{uid:${owner}}`, blockOwnerDeletion: true }] },
});

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, annotations: { 'management.cattle.io/scale-available': '3' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'registry.local/rancher:v2', env: [{ name: 'A', value: '1' }] }] },
    },
  },
});

const vm = (name: string, runStrategy: string) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { name, labels: { 'harvesterhci.io/creator': 'harvester' } },
  spec: { runStrategy, template: { spec: { domain: { devices: {} } } } },
});

const pod = (name: string, nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'etcd' } },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'registry.local/etcd:v3' }] },
});

export const diffCases: DiffCase[] = [
  {
    name: 'get-and-errors',
    about: 'create/get answers, 404 and 409 AlreadyExists shapes, 422 for a bad or missing name',
    steps: [
      post('create', cms, cm('a', { app: 'x' }), { pick: ['kind', 'apiVersion', 'metadata.name', 'metadata.namespace', 'metadata.labels', 'data'] }),
      get('get', `${cms}/a`, { pick: ['kind', 'apiVersion', 'metadata.name', 'data'] }),
      get('get missing', `${cms}/nope`),
      post('create again', cms, cm('a')),
      post('create bad name', cms, cm('Bad_Name')),
      post('create without name', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }),
      get('get missing CR', `${vms}/nope`),
      post('create CR', vms, vm('v1', 'Halted'), { pick: ['kind', 'apiVersion', 'metadata.name', 'metadata.generation', 'spec'] }),
    ],
  },
  {
    name: 'list-selectors',
    about: 'label selectors (=, !=, in, notin, exists, !exists), metadata.name field selector, list kind, bad selector',
    steps: [
      // Every selector also requires set=s: real namespaces hold a kube-root-ca.crt ConfigMap.
      make('a', cms, cm('a', { set: 's', tier: 'web', role: 'x' })),
      make('b', cms, cm('b', { set: 's', tier: 'db' })),
      make('c', cms, cm('c', { set: 's' })),
      get('tier=web', `${cms}?labelSelector=set%3Ds,tier%3Dweb`, { names: true }),
      get('tier!=web', `${cms}?labelSelector=set%3Ds,tier!%3Dweb`, { names: true }),
      get('tier in (web,db)', `${cms}?labelSelector=set%3Ds,tier+in+(web,db)`, { names: true }),
      get('tier notin (web)', `${cms}?labelSelector=set%3Ds,tier+notin+(web)`, { names: true }),
      get('role exists', `${cms}?labelSelector=set%3Ds,role`, { names: true }),
      get('!role', `${cms}?labelSelector=set%3Ds,!role`, { names: true }),
      get('field name', `${cms}?fieldSelector=metadata.name%3Db`, { names: true }),
      get('field name != and label', `${cms}?fieldSelector=metadata.name!%3Db&labelSelector=set%3Ds`, { names: true }),
      get('bad selector', `${cms}?labelSelector=tier%3D%3D%3Dx`),
      get('list kind', cms, { pick: ['kind', 'apiVersion'] }),
    ],
  },
  {
    name: 'patch-kinds',
    about: 'merge patch (null deletes), JSON patch (and its failed test op), strategic merge by key on a built-in, SMP refused on a CR',
    steps: [
      make('create', cms, cm('p', {}, { a: '1', b: '2' })),
      patch('merge', `${cms}/p`, merge, { data: { a: null, c: '3' }, metadata: { labels: { x: 'y' } } }, { pick: ['data', 'metadata.labels'] }),
      patch('json', `${cms}/p`, jsonPatch, [{ op: 'replace', path: '/data/b', value: '20' }, { op: 'add', path: '/data/d', value: '4' }], { pick: ['data'] }),
      patch('json failed test', `${cms}/p`, jsonPatch, [{ op: 'test', path: '/data/b', value: 'nope' }, { op: 'replace', path: '/data/b', value: '0' }]),
      make('deploy', deploys, deployment('rancher', 3)),
      patch('strategic annotations', `${deploys}/rancher`, strategic, { metadata: { annotations: { 'management.cattle.io/scale-available': '' } } }, { pick: ['metadata.annotations'] }),
      patch(
        'strategic container by name',
        `${deploys}/rancher`,
        strategic,
        { spec: { template: { spec: { containers: [{ name: 'main', image: 'registry.local/rancher:v3' }] } } } },
        { pick: ['spec.template.spec.containers.0.image', 'spec.template.spec.containers.0.env'] },
      ),
      make('vm', vms, vm('vm1', 'Always')),
      patch('strategic on CR', `${vms}/vm1`, strategic, { spec: { runStrategy: 'Halted' } }),
      patch('merge on CR', `${vms}/vm1`, merge, { spec: { runStrategy: 'Halted' } }, { pick: ['spec.runStrategy', 'metadata.generation'] }),
      patch('bad content type', `${vms}/vm1`, 'text/plain', { spec: {} }),
    ],
  },
  {
    name: 'status-subresource',
    about: 'the main resource ignores status, /status ignores everything but status; generation moves on spec changes only',
    steps: [
      post('create with status', vms, { ...vm('s1', 'Halted'), status: { printableStatus: 'Stopped' } }, { pick: ['status', 'metadata.generation'] }),
      patch('status via main', `${vms}/s1`, merge, { status: { printableStatus: 'Running' } }, { pick: ['status', 'metadata.generation'] }),
      patch('status via /status', `${vms}/s1/status`, merge, { status: { printableStatus: 'Running' }, spec: { runStrategy: 'Always' } }, { pick: ['status', 'spec.runStrategy', 'metadata.generation'] }),
      patch('spec change', `${vms}/s1`, merge, { spec: { runStrategy: 'Always' } }, { pick: ['spec.runStrategy', 'metadata.generation'] }),
      patch('label change', `${vms}/s1`, merge, { metadata: { labels: { l: '1' } } }, { pick: ['metadata.generation'] }),
      make('addon', addons, { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name: 'rancher-monitoring' }, spec: { enabled: true, repo: 'r', chart: 'c', version: '1' } }),
      patch('addon status', `${addons}/rancher-monitoring/status`, merge, { status: { status: 'AddonDeploySuccessful' } }, { pick: ['status', 'spec.enabled'] }),
      get('status of missing', `${vms}/nope/status`),
    ],
  },
  {
    name: 'scale-subresource',
    about: 'GET/PATCH deployments/scale answer autoscaling/v1 Scale and move spec.replicas',
    steps: [
      make('deploy', deploys, deployment('agent', 2)),
      get('get scale', `${deploys}/agent/scale`),
      patch('patch scale', `${deploys}/agent/scale`, merge, { spec: { replicas: 1 } }),
      get('replicas after', `${deploys}/agent`, { pick: ['spec.replicas', 'metadata.generation'] }),
      get('scale of missing', `${deploys}/nope/scale`),
    ],
  },
  {
    name: 'optimistic-concurrency',
    about: 'PUT with a stale resourceVersion is 409 Conflict; without one it is accepted; a JSON patch of metadata.resourceVersion acts as a precondition',
    steps: [
      post('create', cms, cm('o'), { captureRv: 'first', pick: ['data'] }),
      patch('touch', `${cms}/o`, merge, { data: { k: 'v2' } }, { pick: ['data'] }),
      { kind: 'request', name: 'stale put', method: 'PUT', path: `${cms}/o`, body: { ...cm('o', {}, { k: 'v3' }), metadata: { name: 'o', resourceVersion: '{rv:first}' } } },
      { kind: 'request', name: 'put without rv', method: 'PUT', path: `${cms}/o`, body: cm('o', {}, { k: 'v4' }), pick: ['data'] },
      { kind: 'request', name: 'put name mismatch', method: 'PUT', path: `${cms}/o`, body: cm('other') },
      patch('json patch with stale rv', `${cms}/o`, jsonPatch, [{ op: 'replace', path: '/metadata/resourceVersion', value: '{rv:first}' }]),
    ],
  },
  {
    name: 'watch-resume',
    about: 'a watch from a list resourceVersion sees later changes in order; a watch without one starts with the current objects',
    steps: [
      make('a', cms, cm('w1')),
      get('list', cms, { captureRv: 'list', pick: ['kind'] }),
      { kind: 'watch', name: 'open', id: 'w', path: `${cms}?watch=1&resourceVersion={rv:list}` },
      make('b', cms, cm('w2')),
      patch('modify', `${cms}/w1`, merge, { data: { k: 'z' } }, { pick: ['data'] }),
      { kind: 'request', name: 'delete', method: 'DELETE', path: `${cms}/w2`, pick: ['kind', 'status'] },
      { kind: 'collect', name: 'events', id: 'w', count: 3 },
      { kind: 'watch', name: 'open without rv', id: 'all', path: `${cms}?watch=1&fieldSelector=metadata.name%3Dw1` },
      { kind: 'collect', name: 'initial events', id: 'all', count: 1 },
    ],
  },
  {
    name: 'watch-gone',
    about: 'a watch from a resourceVersion older than the server keeps answers 200 with one ERROR event: 410 Expired',
    steps: [
      { kind: 'watch', name: 'open too old', id: 'old', path: `${cms}?watch=1&resourceVersion=1` },
      { kind: 'collect', name: 'gone', id: 'old', count: 1 },
    ],
  },
  {
    name: 'graceful-delete',
    about: 'a pod bound to a node is deleted gracefully (deletionTimestamp, 30 s); unbound or grace 0 goes at once; finalizers hold a CR',
    steps: [
      make('bound pod', pods, pod('etcd-node1', 'node1')),
      { kind: 'request', name: 'delete bound', method: 'DELETE', path: `${pods}/etcd-node1`, pick: ['metadata.deletionTimestamp', 'metadata.deletionGracePeriodSeconds'] },
      get('still there', `${pods}/etcd-node1`, { pick: ['metadata.deletionTimestamp', 'metadata.deletionGracePeriodSeconds'] }),
      { kind: 'request', name: 'force delete', method: 'DELETE', path: `${pods}/etcd-node1`, body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }, pick: ['kind'] },
      get('gone', `${pods}/etcd-node1`),
      make('unbound pod', pods, pod('pending')),
      { kind: 'request', name: 'delete unbound', method: 'DELETE', path: `${pods}/pending`, pick: ['kind'] },
      get('unbound gone', `${pods}/pending`),
      make('vm with finalizer', vms, { ...vm('f1', 'Halted'), metadata: { name: 'f1', finalizers: ['kubevirt.io/virtualMachineControllerFinalize'] } }),
      { kind: 'request', name: 'delete held', method: 'DELETE', path: `${vms}/f1`, pick: ['metadata.deletionTimestamp', 'metadata.finalizers'] },
      patch('drop finalizer', `${vms}/f1`, merge, { metadata: { finalizers: null } }, { pick: ['kind'] }),
      get('released', `${vms}/f1`),
      { kind: 'request', name: 'delete missing', method: 'DELETE', path: `${vms}/f1` },
    ],
  },
  {
    name: 'vm-subresources',
    about: "virt-api's start/stop/restart answers by runStrategy and VMI (the bed's side is our reading of virt-api, not KubeVirt itself)",
    steps: [
      make('vm Always', vms, vm('r1', 'Always')),
      { kind: 'request', name: 'start Always', method: 'PUT', path: `${vmSub}/r1/start`, body: {} },
      { kind: 'request', name: 'restart without VMI', method: 'PUT', path: `${vmSub}/r1/restart`, body: {} },
      { kind: 'request', name: 'stop Always', method: 'PUT', path: `${vmSub}/r1/stop`, body: {} },
      get('halted', `${vms}/r1`, { pick: ['spec.runStrategy'] }),
      { kind: 'request', name: 'stop Halted without VMI', method: 'PUT', path: `${vmSub}/r1/stop`, body: {} },
      { kind: 'request', name: 'start Halted', method: 'PUT', path: `${vmSub}/r1/start`, body: {} },
      get('always again', `${vms}/r1`, { pick: ['spec.runStrategy'] }),
      { kind: 'request', name: 'stop missing VM', method: 'PUT', path: `${vmSub}/nope/stop`, body: {} },
      make('vm Manual', vms, vm('m1', 'Manual')),
      { kind: 'request', name: 'start Manual', method: 'PUT', path: `${vmSub}/m1/start`, body: {} },
      get('start request', `${vms}/m1`, { pick: ['status.stateChangeRequests', 'spec.runStrategy'] }),
    ],
  },
  // ---- one case per difference found, so each stays pinned on its own ----------------
  {
    name: 'generation-only-where-tracked',
    about: 'metadata.generation exists on Deployments, Pods and custom resources, not on ConfigMaps, Services or Nodes',
    steps: [
      post('configmap', cms, cm('g'), { pick: ['metadata.generation'] }),
      patch('configmap changed', `${cms}/g`, merge, { data: { k: 'v2' } }, { pick: ['metadata.generation'] }),
      post('service', '/api/v1/namespaces/{ns}/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }, { pick: ['metadata.generation'] }),
      post('deployment', deploys, deployment('gd', 1), { pick: ['metadata.generation'] }),
      post('pod', pods, pod('gp'), { pick: ['metadata.generation'] }),
    ],
  },
  {
    name: 'deployment-annotation-bumps-generation',
    about: 'a Deployment (unlike most kinds) bumps metadata.generation when only its annotations change',
    steps: [
      make('deploy', deploys, deployment('ann', 1)),
      patch('scale-available ""', `${deploys}/ann`, merge, { metadata: { annotations: { 'management.cattle.io/scale-available': '' } } }, { pick: ['metadata.generation'] }),
      patch('label only', `${deploys}/ann`, merge, { metadata: { labels: { x: '1' } } }, { pick: ['metadata.generation'] }),
    ],
  },
  {
    name: 'empty-maps-dropped',
    about: 'an empty labels/annotations map sent by a client is not stored (omitempty)',
    steps: [post('create', cms, { ...cm('e'), metadata: { name: 'e', labels: {}, annotations: {} } }, { pick: ['metadata'] })],
  },
  {
    name: 'list-items-without-kind',
    about: 'items of a built-in list carry no apiVersion/kind (custom resources do)',
    steps: [
      make('cm', cms, cm('k')),
      get('configmap list', cms, { pick: ['items.0.kind', 'items.0.apiVersion'] }),
      make('vm', vms, vm('k', 'Halted')),
      get('vm list', vms, { pick: ['items.0.kind', 'items.0.apiVersion'] }),
    ],
  },
  {
    name: 'strategic-merge-list-order',
    about: 'a strategic merge patch adding a keyed list item (env B) puts it before the existing ones',
    steps: [
      make('deploy', deploys, deployment('smp', 1)),
      patch('add env', `${deploys}/smp`, strategic, { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }] } } } }, { pick: ['spec.template.spec.containers.0.env'] }),
    ],
  },
  {
    name: 'scale-to-zero-answer',
    about: 'autoscaling/v1 Scale omits spec.replicas when it is 0 (omitempty): a client must read a missing value as 0',
    steps: [
      make('deploy', deploys, deployment('zero', 2)),
      patch('scale to 0', `${deploys}/zero/scale`, merge, { spec: { replicas: 0 } }, { pick: ['spec'] }),
      get('get scale', `${deploys}/zero/scale`, { pick: ['spec'] }),
    ],
  },
  {
    name: 'generation-on-deletion',
    about: 'generation moves once when a deletion starts (graceful pod, finalizer-held CR, which gets grace 0); a CR without a status subresource moves on status too',
    steps: [
      make('bound pod', pods, pod('gen-del', 'node1')),
      { kind: 'request', name: 'delete bound', method: 'DELETE', path: `${pods}/gen-del`, pick: ['metadata.generation', 'metadata.deletionGracePeriodSeconds'] },
      { kind: 'request', name: 'delete again', method: 'DELETE', path: `${pods}/gen-del`, pick: ['metadata.generation', 'metadata.deletionGracePeriodSeconds'] },
      make('vm with finalizer', vms, { ...vm('held', 'Halted'), metadata: { name: 'held', finalizers: ['kubevirt.io/virtualMachineControllerFinalize'] } }),
      { kind: 'request', name: 'delete held', method: 'DELETE', path: `${vms}/held`, pick: ['metadata.generation', 'metadata.deletionGracePeriodSeconds'] },
      patch('drop finalizer', `${vms}/held`, merge, { metadata: { finalizers: null } }, { pick: ['kind'] }),
      post('setting', settings, { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name: '{ns}-s' }, value: 'a' }, { pick: ['metadata.generation'] }),
      patch('setting status', `${settings}/{ns}-s`, merge, { status: { a: 1 } }, { pick: ['metadata.generation', 'status'] }),
      { kind: 'request', name: 'delete setting', method: 'DELETE', path: `${settings}/{ns}-s`, pick: ['kind'] },
    ],
  },
  {
    name: 'strategic-merge-finalizers',
    about: 'a strategic merge patch of metadata.finalizers (a merged set) puts a new entry first',
    steps: [
      make('cm', cms, { ...cm('f'), metadata: { name: 'f', finalizers: ['example.com/a'] } }),
      patch('add finalizer', `${cms}/f`, strategic, { metadata: { finalizers: ['example.com/b'] } }, { pick: ['metadata.finalizers'] }),
      patch('release', `${cms}/f`, merge, { metadata: { finalizers: null } }, { pick: ['metadata.finalizers'] }),
    ],
  },
  {
    name: 'built-in-defaults',
    about: 'what kube-apiserver fills into each built-in kind the twin serves, on create and on a PUT that leaves it out; initial status',
    steps: [
      post('pod', pods, { ...pod('full'), spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } }], volumes: [{ name: 'cm', configMap: { name: 'x' } }, { name: 'h', hostPath: { path: '/x' } }] } }, {
        pick: [
          'status',
          // Not the whole container: ServiceAccount admission adds a token volume mount (not modelled).
          'spec.containers.0.imagePullPolicy',
          'spec.containers.0.ports',
          'spec.containers.0.resources',
          'spec.containers.0.terminationMessagePath',
          'spec.containers.0.terminationMessagePolicy',
          'spec.volumes.0',
          'spec.volumes.1',
          'spec.restartPolicy',
          'spec.terminationGracePeriodSeconds',
          'spec.dnsPolicy',
          'spec.serviceAccountName',
          'spec.serviceAccount',
          'spec.securityContext',
          'spec.schedulerName',
          'spec.priority',
          'spec.enableServiceLinks',
          'spec.preemptionPolicy',
        ],
      }),
      post('deployment', deploys, deployment('dd', 1), { pick: ['spec', 'status'] }),
      // generation is not recorded: the real controller-manager may have annotated the Deployment meanwhile.
      { kind: 'request', name: 'put without defaults', method: 'PUT', path: `${deploys}/dd`, body: deployment('dd', 2), pick: ['spec'] },
      post('replicaset', replicasets, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 0, selector: { matchLabels: { a: 'rs' } }, template: { metadata: { labels: { a: 'rs' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } }, { pick: ['spec', 'status'] }),
      post('daemonset', daemonsets, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { selector: { matchLabels: { a: 'ds' } }, template: { metadata: { labels: { a: 'ds' } }, spec: { containers: [{ name: 'c', image: 'x:v1' }] } } } }, { pick: ['metadata.annotations', 'spec', 'status'] }),
      post('statefulset', statefulsets, {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'sts' },
        spec: { replicas: 0, serviceName: 'sts', selector: { matchLabels: { a: 'sts' } }, template: { metadata: { labels: { a: 'sts' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
      }, { pick: ['spec', 'status'] }),
      post('service', services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { a: 'b' }, ports: [{ name: 'http', port: 80 }] } }, {
        pick: ['spec.ports', 'spec.type', 'spec.sessionAffinity', 'spec.ipFamilies', 'spec.ipFamilyPolicy', 'spec.internalTrafficPolicy', 'spec.externalTrafficPolicy', 'status'],
      }),
      post('pvc', `/api/v1/namespaces/{ns}/persistentvolumeclaims`, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pvc' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }, { pick: ['spec', 'status'] }),
      post('secret', `/api/v1/namespaces/{ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'not-a-secret' } }, { pick: ['type', 'data', 'stringData'] }),
      get('namespace', '/api/v1/namespaces/{ns}', { pick: ['metadata.labels', 'spec', 'status'] }),
    ],
  },
  {
    name: 'write-edge-cases',
    about: 'generateName, a client-set generation (kept on a ConfigMap, reset on a CR), empty maps on PUT and merge patch, a namespace that does not exist',
    steps: [
      post('generateName pod', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'gen-' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } }, { pick: ['metadata'] }),
      post('cr with generation', vms, { ...vm('g5', 'Halted'), metadata: { name: 'g5', generation: 5 } }, { pick: ['metadata.generation'] }),
      post('cm with generation', cms, { ...cm('g7'), metadata: { name: 'g7', generation: 7 } }, { pick: ['metadata.generation'] }),
      { kind: 'request', name: 'put cm empty labels', method: 'PUT', path: `${cms}/g7`, body: { ...cm('g7'), metadata: { name: 'g7', labels: {} } }, pick: ['metadata.labels', 'metadata.generation'] },
      patch('merge empty annotations', `${cms}/g7`, merge, { metadata: { annotations: {} } }, { pick: ['metadata.annotations'] }),
      post('in missing namespace', '/api/v1/namespaces/nope-ns/configmaps', cm('x')),
    ],
  },
  {
    name: 'patch-errors',
    about: 'JSON patch: an op that cannot apply or an unknown op is 422 (found on apply); a merge patch that is not an object is 400',
    steps: [
      make('cm', cms, cm('pe')),
      patch('json remove missing', `${cms}/pe`, jsonPatch, [{ op: 'remove', path: '/data/nope' }]),
      patch('json bad op', `${cms}/pe`, jsonPatch, [{ op: 'frob', path: '/data/k' }]),
      patch('json not a list', `${cms}/pe`, jsonPatch, { op: 'add' }),
      patch('merge not object', `${cms}/pe`, merge, ['x']),
    ],
  },
  {
    name: 'delete-options',
    about: 'a failed uid precondition is 409 naming the Kind; a negative grace period counts as 1 s; eviction answers 201 Success and deletes gracefully',
    steps: [
      make('cm', cms, cm('do')),
      { kind: 'request', name: 'delete precondition uid', method: 'DELETE', path: `${cms}/do`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } } },
      { kind: 'request', name: 'delete negative grace', method: 'DELETE', path: `${cms}/do?gracePeriodSeconds=-5`, pick: ['kind'] },
      make('evict me', pods, pod('ev1', 'node1')),
      post('eviction', `${pods}/ev1/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'ev1' } }),
      get('evicted', `${pods}/ev1`, { pick: ['metadata.deletionGracePeriodSeconds', 'metadata.generation'] }),
      post('eviction of missing', `${pods}/nope/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'nope' } }),
    ],
  },
  {
    name: 'finished-pod-delete',
    about: 'a bound pod that has finished (Failed) goes at once on a delete with the default grace: it has no containers to stop (the DaemonSet controller and the taint manager delete such pods)',
    steps: [
      make('bound pod', pods, pod('done', 'node1')),
      { kind: 'request', name: 'fail it', method: 'PUT', path: `${pods}/done/status`, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done' }, status: { phase: 'Failed', reason: 'Terminated' } }, pick: ['status.phase', 'status.reason'] },
      { kind: 'request', name: 'delete', method: 'DELETE', path: `${pods}/done`, pick: ['kind'] },
      get('gone', `${pods}/done`),
    ],
  },
  {
    name: 'terminating-pod-updates',
    about: 'a pod in its grace period stays through status and label writes (no finalizers needed); only a delete with grace 0 removes it',
    steps: [
      make('bound pod', pods, pod('term', 'node1')),
      { kind: 'request', name: 'delete', method: 'DELETE', path: `${pods}/term`, pick: ['metadata.deletionGracePeriodSeconds'] },
      { kind: 'request', name: 'put status', method: 'PUT', path: `${pods}/term/status`, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'term' }, status: { phase: 'Running' } }, pick: ['status.phase', 'spec.nodeName'] },
      patch('label', `${pods}/term`, strategic, { metadata: { labels: { z: '1' } } }, { pick: ['metadata.labels', 'metadata.generation'] }),
      get('still there', `${pods}/term`, { pick: ['metadata.deletionGracePeriodSeconds', 'status.phase'] }),
      { kind: 'request', name: 'delete grace 0', method: 'DELETE', path: `${pods}/term`, body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }, pick: ['kind'] },
      get('gone', `${pods}/term`),
    ],
  },
  {
    name: 'create-defaults',
    about: 'the fields kube-apiserver defaults on create that the tool or the twin read: pod phase, grace period, restart policy; deployment strategy',
    steps: [
      post('pod', pods, pod('d1', 'node1'), {
        pick: ['status.phase', 'spec.terminationGracePeriodSeconds', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'spec.containers.0.imagePullPolicy'],
      }),
      post('deployment', deploys, deployment('d2', 1), { pick: ['spec.strategy', 'spec.revisionHistoryLimit', 'spec.progressDeadlineSeconds'] }),
    ],
  },
  {
    name: 'pod-spec-immutable',
    about: "a pod's spec is immutable but for images, activeDeadlineSeconds (down), tolerations (additions) and grace 1 from negative; nodeName is set through pods/binding only",
    steps: [
      make('pod', pods, pod('im')),
      patch('patch nodeName', `${pods}/im`, merge, { spec: { nodeName: 'node1' } }),
      patch('patch restartPolicy', `${pods}/im`, strategic, { spec: { restartPolicy: 'Never' } }),
      patch('patch container env', `${pods}/im`, strategic, { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } }),
      patch('add a container', `${pods}/im`, strategic, { spec: { containers: [{ name: 'd', image: 'x:1' }] } }),
      patch('patch image', `${pods}/im`, strategic, { spec: { containers: [{ name: 'c', image: 'registry.local/etcd:v4' }] } }, { pick: ['spec.containers.0.image'] }),
      patch('empty image', `${pods}/im`, jsonPatch, [{ op: 'replace', path: '/spec/containers/0/image', value: '' }]),
      patch('set activeDeadlineSeconds', `${pods}/im`, merge, { spec: { activeDeadlineSeconds: 60 } }, { pick: ['spec.activeDeadlineSeconds'] }),
      patch('raise activeDeadlineSeconds', `${pods}/im`, merge, { spec: { activeDeadlineSeconds: 120 } }),
      patch('label', `${pods}/im`, merge, { metadata: { labels: { z: '1' } } }, { pick: ['metadata.labels'] }),
      post('bind', `${pods}/im/binding`, binding('im', 'node1')),
      get('bound', `${pods}/im`, { pick: ['spec.nodeName', 'status.conditions', 'metadata.generation'] }),
      post('bind again', `${pods}/im/binding`, binding('im', 'node2')),
      post('bind missing pod', `${pods}/nope/binding`, binding('nope', 'node1')),
      post('bind name mismatch', `${pods}/im/binding`, binding('other', 'node1')),
      make('pod 2', pods, pod('im2')),
      post('bind to a non-node', `${pods}/im2/binding`, binding('im2', 'node1', 'Pod')),
      post('bind without target', `${pods}/im2/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'im2' }, target: {} }),
      { kind: 'request', name: 'put nodeName', method: 'PUT', path: `${pods}/im2`, body: { ...pod('im2', 'node1') } },
    ],
  },
  {
    name: 'pod-deletion-timestamp',
    about: "a graceful pod deletion's deletionTimestamp is now + the grace period, with deletionGracePeriodSeconds",
    steps: [
      make('bound pod', pods, pod('dt', 'node1')),
      del('delete', `${pods}/dt`, undefined, { pick: ['metadata.deletionGracePeriodSeconds'], secondsFromNow: ['metadata.deletionTimestamp'] }),
      make('bound pod 2', pods, pod('dt2', 'node1')),
      del('delete grace 60', `${pods}/dt2`, deleteOptions({ gracePeriodSeconds: 60 }), { pick: ['metadata.deletionGracePeriodSeconds'], secondsFromNow: ['metadata.deletionTimestamp'] }),
      del('shorten to 10', `${pods}/dt2`, deleteOptions({ gracePeriodSeconds: 10 }), { pick: ['metadata.deletionGracePeriodSeconds'], secondsFromNow: ['metadata.deletionTimestamp'] }),
    ],
  },
  {
    name: 'node-create-taint',
    about: 'what kube-apiserver itself (admission, no controller) adds to a new Node',
    steps: [
      post('node', nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: '{ns}-n1' } }, { pick: ['spec'] }),
      post('node with a taint', nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: '{ns}-n2' }, spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }, { pick: ['spec.taints'] }),
      post('node with not-ready', nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: '{ns}-n3' }, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] } }, { pick: ['spec.taints'] }),
      patch('clear taints', `${nodes}/{ns}-n1`, merge, { spec: { taints: null } }, { pick: ['spec.taints'] }),
      del('delete n1', `${nodes}/{ns}-n1`, undefined, { pick: ['kind'] }),
      del('delete n2', `${nodes}/{ns}-n2`, undefined, { pick: ['kind'] }),
      del('delete n3', `${nodes}/{ns}-n3`, undefined, { pick: ['kind'] }),
    ],
  },
  {
    name: 'json-patch-null-in-string-map',
    about: 'a JSON patch add without a value into a string map (ConfigMap data, labels) stores "", as typed decoding does',
    steps: [
      make('cm', cms, cm('jn')),
      patch('add data without value', `${cms}/jn`, jsonPatch, [{ op: 'add', path: '/data/x' }], { pick: ['data'] }),
      patch('add label null', `${cms}/jn`, jsonPatch, [{ op: 'add', path: '/metadata/labels', value: { a: null } }], { pick: ['metadata.labels'] }),
    ],
  },
  {
    name: 'delete-propagation',
    about: 'Foreground and Orphan deletes answer the object held by a foregroundDeletion/orphan finalizer; the garbage collector then deletes or orphans the dependents and the owner',
    steps: [
      post('owner', cms, cm('fg'), { pick: ['metadata.name'], captureUid: 'fg' }),
      make('dependent', cms, ownedCm('fg-dep', 'fg')),
      del('delete foreground', `${cms}/fg`, deleteOptions({ propagationPolicy: 'Foreground' }), {
        pick: ['kind', 'metadata.finalizers', 'metadata.deletionTimestamp', 'metadata.deletionGracePeriodSeconds'],
      }),
      get('dependent deleted', `${cms}/fg-dep`, { until: 404 }),
      get('owner deleted', `${cms}/fg`, { until: 404 }),
      post('owner 2', cms, cm('or'), { pick: ['metadata.name'], captureUid: 'or' }),
      make('dependent 2', cms, ownedCm('or-dep', 'or')),
      del('delete orphan', `${cms}/or`, deleteOptions({ propagationPolicy: 'Orphan' }), { pick: ['kind', 'metadata.finalizers', 'metadata.deletionTimestamp'] }),
      get('owner 2 deleted', `${cms}/or`, { until: 404 }),
      get('dependent 2 orphaned', `${cms}/or-dep`, { pick: ['metadata.name', 'metadata.ownerReferences'] }),
      post('owner 3', cms, { ...cm('bg'), metadata: { name: 'bg', finalizers: ['example.com/hold'] } }, { pick: ['metadata.name'] }),
      del('foreground with a finalizer', `${cms}/bg`, deleteOptions({ propagationPolicy: 'Foreground' }), { pick: ['metadata.finalizers'] }),
      patch('release', `${cms}/bg`, merge, { metadata: { finalizers: null } }, { pick: ['kind'] }),
      get('released', `${cms}/bg`, { until: 404 }),
    ],
  },
];

// Field defaulting of the built-in kinds, as kube-apiserver applies it to every object it
// decodes (create, update, patch): the values the SetDefaults_* functions of k8s.io/api
// fill in when a client leaves a field out, written as a table of rules so that a kind's
// defaults can be read (and checked against a real server's answers) in one place.
// Measured against kube-apiserver v1.34 by test/fidelity (diff case "create-defaults"
// and "built-in-defaults"); not a port of upstream code. Custom resources get no defaults
// (their CRDs declare none), only the omitempty handling of metadata.

type Obj = Record<string, unknown>;

/** A value, or a function of the object being filled that gives one (undefined: leave unset). */
type Fill = string | number | boolean | ((owner: Obj) => unknown);

/**
 * At `at` (dotted path from the object's root; `*` walks every element of a list, '' is
 * the root), set each field of `fill` that is missing; or run `apply` for the odd rule
 * that is not "set when missing".
 */
interface Rule {
  at: string;
  fill?: Record<string, Fill>;
  apply?: (owner: Obj) => void;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An image without a tag (or tagged latest) is pulled always, anything else if missing. */
function pullPolicy(container: Obj): string {
  const image = typeof container.image === 'string' ? container.image : '';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const probe: Record<string, Fill> = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

function containerRules(list: string): Rule[] {
  const c = `${list}.*`;
  return [
    { at: c, fill: { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: pullPolicy, resources: () => ({}) } },
    { at: `${c}.ports.*`, fill: { protocol: 'TCP' } },
    { at: `${c}.env.*.valueFrom.fieldRef`, fill: { apiVersion: 'v1' } },
    ...['livenessProbe', 'readinessProbe', 'startupProbe'].flatMap((p): Rule[] => [
      { at: `${c}.${p}`, fill: probe },
      { at: `${c}.${p}.httpGet`, fill: { scheme: 'HTTP' } },
    ]),
  ];
}

/** SetDefaults_PodSpec and its parts: shared by Pods and every pod template. */
const podSpecRules: Rule[] = [
  {
    at: '',
    fill: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: () => ({}),
      schedulerName: 'default-scheduler',
      // The deprecated field mirrors serviceAccountName in v1.
      serviceAccount: (spec) => spec.serviceAccountName,
    },
  },
  ...containerRules('containers'),
  ...containerRules('initContainers'),
  ...['configMap', 'secret', 'projected', 'downwardAPI'].map((v): Rule => ({ at: `volumes.*.${v}`, fill: { defaultMode: 420 } })),
  { at: 'volumes.*.hostPath', fill: { type: '' } },
];

/** A Pod (not a template) also gets service links, and requests copied from limits. */
const podOnlyRules: Rule[] = [
  { at: '', fill: { enableServiceLinks: true } },
  ...['containers', 'initContainers'].map((list): Rule => ({ at: `${list}.*.resources`, apply: requestsFromLimits })),
];

function requestsFromLimits(resources: Obj): void {
  if (!isObj(resources.limits)) return;
  const requests = isObj(resources.requests) ? resources.requests : {};
  for (const [k, v] of Object.entries(resources.limits)) if (requests[k] === undefined) requests[k] = v;
  resources.requests = requests;
}

const under = (prefix: string, rules: Rule[]): Rule[] => rules.map((r) => ({ ...r, at: r.at ? `${prefix}.${r.at}` : prefix }));
const template = under('spec.template.spec', podSpecRules);

/** RollingUpdate strategies get their parameters only when that is the type. */
const rollingUpdate = (s: Obj): Obj | undefined => (s.type === 'RollingUpdate' ? {} : undefined);
const rollingType = () => ({ type: 'RollingUpdate' });

function stringDataIntoData(secret: Obj): void {
  if (!isObj(secret.stringData)) return;
  const data = isObj(secret.data) ? secret.data : {};
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

const nodePortTypes = new Set(['NodePort', 'LoadBalancer']);

/** "<group>/<Kind>" → rules, in order (a rule may create the object the next one fills). */
const rulesByKind: Record<string, Rule[]> = {
  '/Pod': [...under('spec', podSpecRules), ...under('spec', podOnlyRules)],
  'apps/Deployment': [
    { at: 'spec', fill: { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: rollingType } },
    { at: 'spec.strategy', fill: { rollingUpdate } },
    { at: 'spec.strategy.rollingUpdate', fill: { maxUnavailable: '25%', maxSurge: '25%' } },
    ...template,
  ],
  'apps/ReplicaSet': [{ at: 'spec', fill: { replicas: 1 } }, ...template],
  'apps/DaemonSet': [
    { at: 'spec', fill: { revisionHistoryLimit: 10, updateStrategy: rollingType } },
    { at: 'spec.updateStrategy', fill: { rollingUpdate } },
    { at: 'spec.updateStrategy.rollingUpdate', fill: { maxUnavailable: 1, maxSurge: 0 } },
    ...template,
  ],
  'apps/StatefulSet': [
    {
      at: 'spec',
      fill: { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, updateStrategy: rollingType, persistentVolumeClaimRetentionPolicy: () => ({}) },
    },
    { at: 'spec.updateStrategy', fill: { rollingUpdate } },
    { at: 'spec.updateStrategy.rollingUpdate', fill: { partition: 0 } },
    { at: 'spec.persistentVolumeClaimRetentionPolicy', fill: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
    { at: 'spec.volumeClaimTemplates.*', fill: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: () => ({ phase: 'Pending' }) } },
    { at: 'spec.volumeClaimTemplates.*.spec', fill: { volumeMode: 'Filesystem' } },
    ...template,
  ],
  '/Service': [
    {
      at: 'spec',
      fill: {
        type: 'ClusterIP',
        sessionAffinity: 'None',
        internalTrafficPolicy: (s) => (s.type === 'ExternalName' ? undefined : 'Cluster'),
        externalTrafficPolicy: (s) => (nodePortTypes.has(String(s.type)) ? 'Cluster' : undefined),
      },
    },
    { at: 'spec.ports.*', fill: { protocol: 'TCP', targetPort: (p) => p.port } },
  ],
  '/PersistentVolumeClaim': [{ at: 'spec', fill: { volumeMode: 'Filesystem' } }],
  '/PersistentVolume': [
    { at: 'spec', fill: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' } },
    { at: 'spec.hostPath', fill: { type: '' } },
  ],
  '/Secret': [{ at: '', fill: { type: 'Opaque' }, apply: stringDataIntoData }],
};

/** Fields serialised with omitempty: an empty map or list sent by a client is not stored. */
const omitEmptyByKind: Record<string, string[]> = {
  '/ConfigMap': ['data', 'binaryData'],
  '/Secret': ['data'],
  '/Pod': ['spec.nodeSelector'],
};
const omitEmptyMeta = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

function visit(node: unknown, path: string[], fn: (o: Obj) => void): void {
  if (path.length === 0) {
    if (isObj(node)) fn(node);
    return;
  }
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(node)) for (const el of node) visit(el, rest, fn);
  } else if (isObj(node)) {
    visit(node[head], rest, fn);
  }
}

function runRule(root: Obj, rule: Rule): void {
  visit(root, rule.at ? rule.at.split('.') : [], (owner) => {
    for (const [field, fill] of Object.entries(rule.fill ?? {})) {
      if (owner[field] !== undefined) continue;
      const v = typeof fill === 'function' ? fill(owner) : fill;
      if (v !== undefined) owner[field] = v;
    }
    rule.apply?.(owner);
  });
}

const isEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0);

function dropEmpty(root: Obj, paths: string[]): void {
  for (const p of paths) {
    const parts = p.split('.');
    const field = parts.pop()!;
    visit(root, parts, (owner) => {
      if (isEmpty(owner[field])) delete owner[field];
    });
  }
}

/** Defaults `obj` in place for its kind ("" group for core); unknown kinds only lose empty metadata maps. */
export function applyDefaults(group: string, kind: string, obj: Obj): void {
  const key = `${group}/${kind}`;
  for (const rule of rulesByKind[key] ?? []) runRule(obj, rule);
  if (isObj(obj.metadata)) dropEmpty(obj.metadata, omitEmptyMeta);
  dropEmpty(obj, omitEmptyByKind[key] ?? []);
}

// Strategic merge patch for the built-in kinds, as kube-apiserver applies
// `application/strategic-merge-patch+json`: a JSON merge patch, except that lists with a
// merge key (containers and env by name, conditions by type, …) merge element-wise, and
// the directives `$patch` (replace | delete | merge), `$deleteFromPrimitiveList/<field>`,
// `$setElementOrder/<field>` and `$retainKeys` are honoured. The merge keys are the
// `patchMergeKey` tags of k8s.io/api for the fields fallow and the seed patch; a list
// without one is replaced, as upstream does. CRDs do not support this type (415).

/** Field name → merge key, for the lists of the built-in kinds that merge element-wise. */
const mergeKeys: Record<string, string | ((sample: Record<string, unknown>) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  addresses: 'type', // node status addresses
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  // Container ports merge by containerPort, Service ports by port.
  ports: (sample) => ('containerPort' in sample ? 'containerPort' : 'port'),
};

/** Lists of primitives that merge as sets (patchStrategy "merge" without a key). */
const primitiveSets = new Set(['finalizers']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export class StrategicPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategicPatchError';
  }
}

/** Applies a strategic merge patch to a copy of `target`; the input is never changed. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) throw new StrategicPatchError('strategic merge patch must be a JSON object');
  return mergeObject(isObj(target) ? target : {}, patch);
}

function mergeObject(target: Obj, patch: Obj): Obj {
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest) as Obj;
  }
  if (directive === 'delete') return {};
  const out: Obj = { ...target };
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.some((d) => d === x));
      continue;
    }
    if (k.startsWith('$')) continue; // $patch, $retainKeys, $setElementOrder/…: handled or order-only
    if (v === null) {
      delete out[k];
      continue;
    }
    out[k] = mergeValue(k, out[k], v);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k) && !(k in patch)) delete out[k];
  return out;
}

function mergeValue(field: string, cur: unknown, patch: unknown): unknown {
  if (isObj(patch)) return mergeObject(isObj(cur) ? cur : {}, patch);
  if (Array.isArray(patch)) return mergeList(field, Array.isArray(cur) ? cur : undefined, patch);
  return patch;
}

function mergeList(field: string, cur: unknown[] | undefined, patch: unknown[]): unknown[] {
  // An explicit {"$patch": "replace"} element replaces the whole list with the other elements.
  if (patch.some((e) => isObj(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isObj(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  if (primitiveSets.has(field)) {
    const out = [...(cur ?? [])];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return orderLikeServer(out, patch, cur ?? [], (v) => v);
  }
  const sample = patch.find(isObj) ?? cur?.find(isObj);
  const keySpec = mergeKeys[field];
  if (!keySpec || !sample) return patch.map(stripDirectives);
  const key = typeof keySpec === 'string' ? keySpec : keySpec(sample);
  const out: unknown[] = [...(cur ?? [])];
  for (const el of patch) {
    if (!isObj(el)) throw new StrategicPatchError(`${field}: element ${JSON.stringify(el)} is not an object; merge key "${key}" expects objects`);
    if (!(key in el)) throw new StrategicPatchError(`map: ${JSON.stringify(el)} does not contain declared merge key: ${key}`);
    const at = out.findIndex((c) => isObj(c) && c[key] === el[key]);
    if (el.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeObject(out[at] as Obj, el);
    else out.push(stripDirectives(el));
  }
  const byKey = (v: unknown): unknown => (isObj(v) ? v[key] : undefined);
  return orderLikeServer(out, patch.filter((e) => !(isObj(e) && e.$patch === 'delete')), cur ?? [], byKey);
}

/**
 * The order kube-apiserver gives a merged list: the items the patch names, in the patch's
 * order, interleaved with the items only the server had, in their old order. A server
 * item goes first only while it stood before the next patch item in the old list, so an
 * item new to the list comes before the server's remaining ones.
 */
function orderLikeServer(merged: unknown[], patch: unknown[], original: unknown[], id: (v: unknown) => unknown): unknown[] {
  const patchIds = patch.map(id);
  const originalIds = original.map(id);
  const patchItems = merged.filter((m) => patchIds.includes(id(m))).sort((a, b) => patchIds.indexOf(id(a)) - patchIds.indexOf(id(b)));
  const serverOnly = merged.filter((m) => !patchIds.includes(id(m)));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patchItems[j++]);
    else {
      const li = originalIds.indexOf(id(serverOnly[i]));
      const ri = originalIds.indexOf(id(patchItems[j]));
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

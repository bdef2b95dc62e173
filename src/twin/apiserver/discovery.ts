// Discovery documents, built from the store's registered types: /version, /api, /api/v1,
// /apis, /apis/<group>, /apis/<group>/<version>, plus the groups the server itself serves
// (authorization.k8s.io for access reviews, apiextensions.k8s.io for the CRD list,
// subresources.kubevirt.io and any group a subresource handler was added for).
// Only the legacy (unaggregated) form is served: kubectl and client-go offer plain
// application/json after the aggregated apidiscovery types and fall back to it.
import type { Store } from '../store/store.js';
import type { ResourceType } from '../store/types.js';

export interface ExtraResource {
  group: string;
  version: string;
  name: string; // "virtualmachines/start", "selfsubjectaccessreviews"
  kind: string;
  namespaced: boolean;
  verbs: string[];
  singularName?: string;
  shortNames?: string[];
  /** For subresources whose kind lives in another group (deployments/scale → autoscaling/v1 Scale). */
  refGroup?: string;
  refVersion?: string;
}

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

// Whether a type comes from a CRD is the store's knowledge (its registry rules depend on it).
export { isCrd } from '../store/types.js';

const subVerbs = ['get', 'patch', 'update'];

/** Discovery entries of a type's own subresources (status, scale, exec, …). */
function subresourceEntries(t: ResourceType): ApiResource[] {
  const out: ApiResource[] = [];
  for (const sub of t.subresources ?? []) {
    const base = { name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced };
    switch (sub) {
      case 'status':
        out.push({ ...base, kind: t.kind, verbs: subVerbs });
        break;
      case 'scale':
        out.push({ ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: subVerbs });
        break;
      case 'exec':
        out.push({ ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] });
        break;
      case 'log':
        out.push({ ...base, kind: 'Pod', verbs: ['get'] });
        break;
      case 'eviction':
        out.push({ ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
        break;
      default:
        out.push({ ...base, kind: t.kind, verbs: ['update'] });
    }
  }
  return out;
}

function typeEntry(t: ResourceType): ApiResource {
  return {
    name: t.resource,
    singularName: t.singular ?? t.kind.toLowerCase(),
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories?.length ? { categories: t.categories } : {}),
  };
}

function extraEntry(e: ExtraResource): ApiResource {
  return {
    name: e.name,
    singularName: e.singularName ?? '',
    namespaced: e.namespaced,
    ...(e.refGroup !== undefined ? { group: e.refGroup, version: e.refVersion ?? 'v1' } : {}),
    kind: e.kind,
    verbs: e.verbs,
    ...(e.shortNames ? { shortNames: e.shortNames } : {}),
  };
}

export class Discovery {
  constructor(
    private readonly store: Store,
    private readonly extras: () => ExtraResource[],
    private readonly serverAddress: () => string,
  ) {}

  /** Group → versions (in registration order); the core group is "". */
  private groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    const add = (g: string, v: string) => {
      const vs = m.get(g) ?? [];
      if (!vs.includes(v)) vs.push(v);
      m.set(g, vs);
    };
    for (const t of this.store.allTypes()) add(t.group, t.version);
    for (const e of this.extras()) add(e.group, e.version);
    return m;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groups().get(group)?.includes(version) ?? false;
  }

  api(): unknown {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }] };
  }

  private groupDoc(name: string, versions: string[]): Record<string, unknown> {
    const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  }

  apis(): unknown {
    const groups = [...this.groups()].filter(([g]) => g !== '').map(([g, vs]) => this.groupDoc(g, vs));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  group(name: string): unknown | undefined {
    const vs = this.groups().get(name);
    if (!vs || name === '') return undefined;
    return { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(name, vs) };
  }

  resources(group: string, version: string): unknown | undefined {
    if (!this.hasGroupVersion(group, version)) return undefined;
    const resources: ApiResource[] = [];
    for (const t of this.store.allTypes()) {
      if (t.group !== group || t.version !== version) continue;
      resources.push(typeEntry(t), ...subresourceEntries(t));
    }
    for (const e of this.extras()) if (e.group === group && e.version === version) resources.push(extraEntry(e));
    const seen = new Set<string>();
    const unique = resources.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: unique };
  }
}

export function versionDoc(gitVersion: string): unknown {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '30',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-11-20T00:00:00Z',
    goVersion: 'go1.22.8 X:boringcrypto',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

// Reads a Kubernetes REST path back into what it addresses, so error messages and the
// request recorder can name the resource, namespace and object the way RBAC does.

export interface ApiPathInfo {
  group: string; // "" for core
  version: string;
  resource?: string; // plural
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseApiPath(p: string): ApiPathInfo | undefined {
  const parts = p.split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts[1]) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts[1] && parts[2]) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  const info: ApiPathInfo = { group, version };
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest[0] !== undefined) info.resource = rest[0];
  if (rest[1] !== undefined) info.name = rest[1];
  if (rest[2] !== undefined) info.subresource = rest.slice(2).join('/');
  return info;
}

/** "pods/exec", "deployments.apps/scale", "volumes.longhorn.io". */
export function resourceLabel(info: ApiPathInfo): string {
  const base = info.group ? `${info.resource ?? '?'}.${info.group}` : (info.resource ?? '?');
  return info.subresource ? `${base}/${info.subresource}` : base;
}

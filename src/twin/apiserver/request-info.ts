// Reads a request path and method the way kube-apiserver's RequestInfoFactory does:
// /api/v1/…, /apis/<group>/<version>/…, namespaces/<ns>/<resource>/<name>/<subresource>,
// the legacy /watch/ prefix, and the verb (get list watch create update patch delete
// deletecollection). Authorization, routing and the request log all use its answer.
import type { RequestInfo } from './types.js';

// Subresources of a namespace itself, not resources in it (/api/v1/namespaces/x/status).
const namespaceSubresources = new Set(['status', 'finalize']);

// Connect-style subresources are authorised as "create" whatever the method (upstream
// requires create on pods/exec for WebSocket GETs too).
const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy']);

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResource: false,
    verb: method.toLowerCase(),
    path,
    group: '',
    version: '',
    resource: '',
    subresource: '',
    namespace: undefined,
    name: '',
  };
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    info.version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    info.group = parts[1]!;
    info.version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return info;
  }
  if (rest.length === 0) return info; // discovery of a group version

  info.isResource = true;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }

  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2 && !namespaceSubresources.has(rest[2]!)) rest = rest.slice(2);
    }
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';

  const m = method.toUpperCase();
  switch (m) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = info.name ? 'get' : 'list';
      if (watchPrefix || isTrue(query.get('watch'))) info.verb = 'watch';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = m.toLowerCase();
  }
  if (connectSubresources.has(info.subresource)) info.verb = 'create';
  return info;
}

export function isTrue(v: string | null | undefined): boolean {
  return v === 'true' || v === '1';
}

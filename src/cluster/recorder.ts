// The request recorder: one line per API request fallow made (method, path, verb, status,
// time). Tests assert on it ("plan made no write request") and benchmarks count load.
// Paths never carry secrets (tokens travel in headers, which are not recorded).

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'exec' | 'download' | 'other';

export interface RequestRecord {
  /** Wall time the request started, epoch ms. */
  t: number;
  method: string;
  path: string;
  query?: string;
  verb: Verb;
  /** HTTP status, or 0 when no response came (network error, timeout). */
  status: number;
  durationMs: number;
  /** Network error code when status is 0 ("ECONNREFUSED", "ETIMEDOUT"). */
  error?: string;
}

/** The verb kube-apiserver would log for this request. */
export function verbOf(method: string, path: string, query: URLSearchParams): Verb {
  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') return 'watch';
      return isCollectionPath(path) ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

/** /api/v1/pods, /api/v1/namespaces/x/pods, /apis/g/v/namespaces/x/things: a collection. */
function isCollectionPath(p: string): boolean {
  const parts = p.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : undefined;
  if (!rest || rest.length === 0) return false; // discovery documents
  if (rest[0] === 'namespaces' && rest.length >= 3) return rest.length === 3;
  return rest.length === 1;
}

export class RequestRecorder {
  readonly records: RequestRecord[] = [];
  private readonly listeners = new Set<(r: RequestRecord) => void>();

  add(r: RequestRecord): void {
    this.records.push(r);
    for (const l of this.listeners) l(r);
  }

  onRecord(listener: (r: RequestRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Requests with a writing HTTP method. Exec is a GET upgrade, so look at verb 'exec' separately. */
  writes(): RequestRecord[] {
    return this.records.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }
}

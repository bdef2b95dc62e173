// The public shapes of the twin's API server: options, users and rules, faults, hooks for
// subresources and extra routes, the request log record, and the running server handle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/store.js';
import type { KObject, ResourceType } from '../store/types.js';

/** One RBAC-like rule: every listed field must match ("*" matches anything). */
export interface TwinPolicyRule {
  apiGroups: string[]; // "" is the core group
  resources: string[]; // "pods", "pods/exec", "deployments/scale", "*"
  verbs: string[]; // get list watch create update patch delete deletecollection, "*"
  /** Namespaces the rule applies in; omitted: every namespace and cluster-scoped objects. */
  namespaces?: string[];
  resourceNames?: string[];
}

export interface TwinUser {
  name: string;
  token: string;
  groups?: string[];
  rules?: TwinPolicyRule[];
}

/** Faults injected at run time; the server reads this object on every request. */
export interface ApiFaults {
  /** Share (0..1) of resource requests answered 500, 503 or 429 (with Retry-After). */
  errorRate?: number;
  /** Every watch stream is cut (socket reset) this many wall ms after it opened. */
  dropWatchesAfterMs?: number;
  /** Added before every answer, in wall ms. */
  latencyMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type ExecHandler = (pod: KObject, container: string, command: string[]) => Promise<ExecResult>;

export interface SubresourceRequest {
  method: string;
  /** Group of the request path (e.g. subresources.kubevirt.io), and its version. */
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string | undefined;
  name: string;
  /** Parsed JSON body, or undefined when there is none. */
  body: unknown;
  query: URLSearchParams;
  user: string;
  store: Store;
}

/** What a subresource handler answers; throw a StatusError for Kubernetes-shaped failures. */
export interface SubresourceResponse {
  status?: number; // default 200
  body?: unknown; // JSON; omitted: empty body
}

export type SubresourceHandler = (req: SubresourceRequest) => Promise<SubresourceResponse | void> | SubresourceResponse | void;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => void | Promise<void>;

export interface RequestRecord {
  /** Wall-clock ms when the request arrived. */
  t: number;
  method: string;
  path: string;
  query: string;
  /** get list watch create update patch delete deletecollection, or the HTTP method lowercased for non-resource paths. */
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  status: number;
  user?: string;
}

export type Reachability = 'up' | 'refused' | 'unavailable';

export interface ApiServerOptions {
  store: Store;
  host?: string; // default 127.0.0.1
  port?: number; // default 0: any free port
  /** Bearer-token users; an 'admin' user in system:masters always exists. */
  users?: TwinUser[];
  /** When true, non-admin users are checked against their rules. */
  rbac?: boolean;
  exec?: ExecHandler;
  faults?: ApiFaults;
  /** Time for AGE columns and bookmarks' pacing; default the real clock. */
  clock?: Clock;
  /** gitVersion served at /version; default a Harvester-like RKE2 version. */
  gitVersion?: string;
  /** Wall ms between BOOKMARK events on watches that allow them; default 60 000 as upstream. */
  bookmarkIntervalMs?: number;
  /** Largest requestLog kept; the oldest half is dropped beyond it. Default 200 000. */
  requestLogLimit?: number;
}

export interface TwinApiServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly caPem: string;
  readonly adminToken: string;
  readonly faults: ApiFaults;
  readonly requestLog: RequestRecord[];
  readonly reachability: Reachability;
  writeKubeconfig(path: string, opts?: { user?: string; context?: string }): Promise<void>;
  setReachability(state: Reachability): Promise<void>;
  addRoute(method: string, pattern: RegExp, handler: RouteHandler): void;
  addSubresource(group: string, resource: string, sub: string, handler: SubresourceHandler, opts?: SubresourceOptions): void;
  close(): Promise<void>;
}

export interface SubresourceOptions {
  /** Version served in discovery for groups the store does not know; default "v1". */
  version?: string;
  verbs?: string[];
  namespaced?: boolean;
}

/** What the request path and method say, as kube-apiserver's RequestInfo. */
export interface RequestInfo {
  isResource: boolean;
  verb: string;
  path: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string | undefined;
  name: string;
  /** The resource type the store serves for group/version/resource, when known. */
  type?: ResourceType;
}

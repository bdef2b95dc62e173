// Maps what the Kubernetes API (or the network in front of it) answered to fallow's few
// error kinds, with one message per case that names the request's object and the next
// action. The HTTP status, Status reason and network code stay on the error as plain
// fields (statusCode, reason, code) so the engine's classifier can read them structurally.
import {
  FatalError,
  type FallowError,
  TransientError,
  UnreachableError,
  UsageError,
} from '../common/errors.js';
import { parseApiPath, resourceLabel } from './paths.js';
import type { Verb } from './recorder.js';
import type { StatusObject } from './types.js';

export interface ApiErrorInfo {
  statusCode?: number;
  /** Status.reason: "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Expired", … */
  reason?: string;
  /** Network error code: "ECONNREFUSED", "ETIMEDOUT", … */
  code?: string;
  /** Seconds the server asked to wait (429/503 Retry-After). */
  retryAfterSeconds?: number;
  /** True for errors worth retrying after a pause. */
  transient?: boolean;
}

export type ApiError = FallowError & ApiErrorInfo;

export interface RequestContextInfo {
  server: string;
  method: string;
  path: string;
  verb: Verb;
}

function attach<E extends FallowError>(err: E, info: ApiErrorInfo): E & ApiErrorInfo {
  return Object.assign(err, info);
}

/** Reads the structural fields back from any error (ours or one a caller wrapped). */
export function apiErrorInfo(err: unknown): ApiErrorInfo | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ApiErrorInfo;
  if (e.statusCode === undefined && e.code === undefined) return undefined;
  return e;
}

export function isNotFound(err: unknown): boolean {
  return apiErrorInfo(err)?.statusCode === 404;
}
export function isAlreadyExists(err: unknown): boolean {
  const i = apiErrorInfo(err);
  return i?.statusCode === 409 && i.reason === 'AlreadyExists';
}
export function isConflict(err: unknown): boolean {
  const i = apiErrorInfo(err);
  return i?.statusCode === 409 && i.reason !== 'AlreadyExists';
}
export function isGone(err: unknown): boolean {
  return apiErrorInfo(err)?.statusCode === 410;
}

/** "list pods in namespace \"kube-system\"", "get nodes/harv41 at cluster scope". */
export function describeRequest(req: Pick<RequestContextInfo, 'path' | 'verb'>): string {
  const p = parseApiPath(req.path);
  if (!p) return `${req.verb} ${req.path}`;
  const what = p.name && req.verb !== 'list' ? `${resourceLabel(p)} "${p.name}"` : resourceLabel(p);
  const where = p.namespace ? `in namespace "${p.namespace}"` : 'at cluster scope';
  return `${req.verb} ${what} ${where}`;
}

const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed mid-response',
  REQUEST_TIMEOUT: 'no answer within the request timeout',
};

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The operator's words for a network error code ("connection refused"); undefined for an unknown code. */
export function networkReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : networkCodes[code];
}

/**
 * What an HTTP status means to fallow, whichever API answered it (Kubernetes, Rancher
 * Manager): bad credentials (usage), forbidden / not found / already there (fatal), worth
 * a retry (409 Conflict, 410, 429, 5xx: transient), or anything else (fatal).
 */
export type StatusKind = 'credentials' | 'forbidden' | 'not-found' | 'already-exists' | 'retry' | 'failed';

export function statusKind(statusCode: number, reason = ''): StatusKind {
  if (statusCode === 401) return 'credentials';
  if (statusCode === 403) return 'forbidden';
  if (statusCode === 404) return 'not-found';
  if (statusCode === 409 && reason === 'AlreadyExists') return 'already-exists';
  if (statusCode === 409 || statusCode === 410 || statusCode === 429 || statusCode >= 500) return 'retry';
  return 'failed';
}

/** A request that got no HTTP answer. */
export function mapNetworkError(req: RequestContextInfo, err: unknown): ApiError {
  const code = (err as { code?: string } | undefined)?.code ?? 'UNKNOWN';
  const detail = err instanceof Error ? err.message : String(err);
  if (tlsCodes.has(code) || /certificate|SSL|TLS/i.test(detail)) {
    return attach(
      new UsageError(
        `TLS verification of the API server at ${req.server} failed: ${detail}`,
        'The kubeconfig\'s certificate-authority does not match the server (or the URL is not an HTTPS API server); fix the kubeconfig or the --context',
        { cause: err },
      ),
      { code },
    );
  }
  const why = networkReason(code) ?? detail;
  return attach(
    new UnreachableError(
      `cannot reach the Kubernetes API at ${req.server}: ${why} (${describeRequest(req)})`,
      'Check that the cluster is up and that the kubeconfig\'s server address is right',
      { cause: err },
    ),
    { code, transient: true },
  );
}

function userOf(message: string | undefined): string | undefined {
  return message?.match(/User "([^"]+)"/)?.[1];
}

/** A request the API server answered with a non-2xx status. */
export function mapStatusError(req: RequestContextInfo, statusCode: number, body: StatusObject | undefined, retryAfter?: string): ApiError {
  const reason = body?.reason ?? '';
  const serverMsg = body?.message ?? '';
  const what = describeRequest(req);
  const info: ApiErrorInfo = { statusCode, reason };
  const retry = retryAfter !== undefined ? Number(retryAfter) : NaN;
  if (Number.isFinite(retry)) info.retryAfterSeconds = retry;

  switch (statusKind(statusCode, reason)) {
    case 'credentials':
      return attach(
        new UsageError(`the API server at ${req.server} rejected the kubeconfig's credentials (401 Unauthorized)`, 'Refresh the token or certificate in the kubeconfig, or pick another --context'),
        info,
      );
    case 'forbidden': {
      const user = userOf(serverMsg);
      const who = user ? `user "${user}"` : 'the kubeconfig\'s user';
      return attach(new FatalError(`forbidden: ${who} may not ${what}`, 'Grant it, or run `fallow rbac` for the role fallow needs'), info);
    }
    case 'not-found': {
      const p = parseApiPath(req.path);
      const kindMissing = !p?.name || /the server could not find the requested resource/i.test(serverMsg);
      if (kindMissing) {
        return attach(
          new FatalError(`the API server at ${req.server} does not serve ${p ? resourceLabel(p) : req.path} (${what}): not a Harvester cluster?`, 'Check --context, or the Harvester version (see harvester-facts)'),
          info,
        );
      }
      return attach(new FatalError(`not found: ${what}`, 'It may have been deleted meanwhile; check it with kubectl'), info);
    }
    case 'already-exists':
      return attach(new FatalError(`already exists: ${what}`, 'Delete or rename it first'), info);
    case 'retry': {
      const label = `${statusCode}${reason ? ` ${reason}` : ''}`;
      return attach(
        new TransientError(
          `the API server at ${req.server} answered ${label} to ${what}${serverMsg ? `: ${serverMsg}` : ''}`,
          statusCode >= 500 ? 'The control plane may be overloaded or losing etcd quorum; fallow retries, and if it persists check the control-plane nodes' : 'fallow retries',
        ),
        { ...info, transient: true },
      );
    }
    case 'failed':
      return attach(
        new FatalError(`the API server refused to ${what}: ${statusCode}${reason ? ` ${reason}` : ''}${serverMsg ? `: ${serverMsg}` : ''}`, 'This is likely a fallow bug or an unexpected Harvester version; please report it'),
        info,
      );
  }
}

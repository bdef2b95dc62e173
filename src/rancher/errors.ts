// Rancher Manager's failures in Rancher's words. The cluster layer's transport maps HTTP and
// network errors for a Kubernetes API ("check the kubeconfig"); here the same structural
// fields (statusCode, code) are re-read and said about Rancher Manager and its flags, so
// the operator knows which server and which option to fix. Fields are kept, so the engine
// still classifies network errors as transient.
import { FatalError, type FallowError, TransientError, UnreachableError, UsageError } from '../common/errors.js';
import { apiErrorInfo, networkReason, statusKind, type ApiErrorInfo } from '../cluster/errors.js';

/** `what` names the request: "list provisioning.cattle.io clusters". */
export function rancherError(url: string, what: string, err: unknown): FallowError & ApiErrorInfo {
  const info = apiErrorInfo(err);
  // Only the structural fields: the original's message and hint speak of a kubeconfig.
  const fields: ApiErrorInfo = {};
  for (const k of ['statusCode', 'reason', 'code', 'retryAfterSeconds', 'transient'] as const) if (info?.[k] !== undefined) Object.assign(fields, { [k]: info[k] });
  const keep = (e: FallowError): FallowError & ApiErrorInfo => Object.assign(e, fields);
  const status = info?.statusCode;
  if (status !== undefined) {
    const msg = err instanceof Error ? err.message : String(err);
    // The same status means the same to fallow as from the Kubernetes API (cluster/errors.ts).
    switch (statusKind(status, info?.reason)) {
      case 'credentials':
        return keep(new UsageError(`Rancher Manager at ${url} rejected the API token (401) to ${what}`, 'Create a new API key in Rancher (Account & API Keys) and point --rancher-token-file or the token variable at it'));
      case 'forbidden':
        return keep(new FatalError(`Rancher Manager at ${url} forbids the token's user to ${what} (403)`, 'Use a token of a user who can see and edit the downstream clusters (cluster owner or admin)'));
      case 'not-found':
        return keep(new FatalError(`Rancher Manager at ${url} has no such object or API to ${what} (404)`, 'Check that --rancher-url is the Rancher server (v2.8 or later) and that the object still exists'));
      case 'retry':
        return Object.assign(keep(new TransientError(`Rancher Manager at ${url} answered HTTP ${status} to ${what}: ${msg}`, 'fallow retries; if it persists, check Rancher Manager\'s health')), { transient: true });
      case 'already-exists':
      case 'failed':
        return keep(new FatalError(`Rancher Manager at ${url} failed to ${what} (HTTP ${status}): ${msg}`, 'Check Rancher Manager\'s health, then `fallow resume`'));
    }
  }
  const code = info?.code ?? (err as { code?: string } | undefined)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError && /TLS|certificate/i.test(detail)) {
    return keep(new UsageError(`TLS verification of Rancher Manager at ${url} failed: ${detail.replace(/^TLS verification of the API server at \S+ failed: /, '')}`, 'Pass the CA that signed Rancher\'s certificate with --rancher-ca (or --rancher-insecure deliberately)'));
  }
  return keep(
    new UnreachableError(
      `cannot reach Rancher Manager at ${url}: ${networkReason(code) ?? detail} (${what})`,
      'Check --rancher-url and that Rancher Manager is up; without Rancher Manager, run without --snapshot-downstream and --rancher-url',
      { cause: err },
    ),
  );
}

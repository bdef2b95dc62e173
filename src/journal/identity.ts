// Binding a run to its cluster: the kube-system namespace UID (stable for the cluster's
// life) plus the API server URL. A journal is only ever continued against the cluster it
// was written for.
import { ClusterMismatchError } from './errors.js';
import type { ClusterIdentity } from './records.js';

/** Scheme, lower-case host, explicit port only when not the default, no trailing slash. */
export function normalizeServer(server: string): string {
  try {
    const u = new URL(server);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server.trim().replace(/\/+$/, '');
  }
}

export function describeIdentity(id: ClusterIdentity): string {
  return `cluster ${id.uid} at ${id.server}`;
}

export interface IdentityCheckOptions {
  /** The same cluster reached through another address (a node IP instead of the VIP). */
  allowServerChange?: boolean;
}

/** Throws ClusterMismatchError unless `current` is the cluster the journal was written for. */
export function assertSameCluster(
  journaled: ClusterIdentity,
  current: ClusterIdentity,
  journalFile: string,
  opts: IdentityCheckOptions = {},
): void {
  if (journaled.uid !== current.uid) {
    throw new ClusterMismatchError(
      `The run in ${journalFile} belongs to ${describeIdentity(journaled)}, but the kubeconfig points at ${describeIdentity(current)}; nothing was changed`,
      'Use the kubeconfig (and --context) of the cluster the run was started on',
    );
  }
  if (!opts.allowServerChange && normalizeServer(journaled.server) !== normalizeServer(current.server)) {
    throw new ClusterMismatchError(
      `The run in ${journalFile} talked to ${journaled.server}; this kubeconfig talks to ${current.server} (same cluster ${current.uid}); nothing was changed`,
      'Use the original API address, or rerun with --allow-server-change if the address change is expected',
    );
  }
}

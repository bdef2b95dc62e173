// Reading a stored snapshot back: the schema must match exactly (a snapshot of another
// version is refused with what was expected and what was found, never half-read).
import { UsageError } from '../common/errors.js';
import { RedactionStamp } from '../common/redaction.js';
import { SnapshotSchema, type ClusterSnapshot } from './snapshot-types.js';

const arrays = ['nodes', 'addons', 'vms', 'volumes', 'systemPods', 'unreadable'] as const;
const objects = ['cluster', 'vip', 'settings', 'rancher'] as const;

/** Parses a snapshot file's text; `source` names the file in errors. */
export function parseSnapshot(text: string, source = 'snapshot'): ClusterSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source} is not JSON (${err instanceof Error ? err.message : String(err)})`, 'Pass a snapshot file written by fallow.');
  }
  if (typeof data !== 'object' || data === null) throw new UsageError(`${source} is not a snapshot object`, 'Pass a snapshot file written by fallow.');
  const rec = data as Record<string, unknown>;
  if (rec.schema !== SnapshotSchema) {
    throw new UsageError(
      `${source} has schema ${JSON.stringify(rec.schema ?? null)}, expected ${JSON.stringify(SnapshotSchema)}`,
      'Use the fallow version that wrote it, or take a new snapshot.',
    );
  }
  const missing = [
    ...arrays.filter((k) => !Array.isArray(rec[k])),
    ...objects.filter((k) => typeof rec[k] !== 'object' || rec[k] === null),
    ...(typeof rec.takenAt === 'string' ? [] : ['takenAt']),
    ...('etcd' in rec ? [] : ['etcd']),
  ];
  if (missing.length) throw new UsageError(`${source} is not a complete snapshot: missing or malformed ${missing.join(', ')}`, 'Take a new snapshot.');
  checkRedaction(rec.redaction, source);
  return data as ClusterSnapshot;
}

/** A stamp this fallow cannot read would make its digests compare as if they were its own. */
function checkRedaction(stamp: unknown, source: string): void {
  if (stamp === undefined) return;
  if (!RedactionStamp.safeParse(stamp).success) {
    const scheme = typeof stamp === 'object' && stamp !== null ? (stamp as { scheme?: unknown }).scheme : undefined;
    throw new UsageError(
      `${source} masks its secrets with a redaction scheme this fallow does not know (${JSON.stringify(scheme ?? null)})`,
      'Use the fallow version that wrote it, or a newer one.',
    );
  }
}

// The before/after snapshots of the cluster (seed 5.6: "record the cluster settings,
// configurations and status before shutting down and after rebooting"), taken through the
// runbook's ClusterPort with the report layer's capture.
import { captureSnapshot, parseSnapshot, type ClusterSnapshot } from '../../report/index.js';
import { etcdThroughRunningPod, readerFromNamedKindApi } from '../../report/snapshot-reader.js';
import type { PodObject } from '../../common/harvester-types.js';
import type { StepContext } from '../../engine/types.js';
import type { RedactionPlan } from '../../common/redaction.js';
import { ensureRedactionKey } from '../../journal/redaction-key.js';
import { stateRootOfRunDir } from '../../journal/paths.js';
import type { RunbookEnv } from '../env.js';

/** `redaction`: how its secrets are masked (a record: recordingRedaction; a comparison: the recorded one's). */
export function snapshotNow(ctx: StepContext<RunbookEnv>, redaction: RedactionPlan): Promise<ClusterSnapshot> {
  const c = ctx.env.cluster;
  const etcd = etcdThroughRunningPod((ns) => c.list<PodObject>('Pod', { namespace: ns }), (node) => c.etcdMembers(node));
  return captureSnapshot(readerFromNamedKindApi(c, etcd), { now: () => ctx.clock.now(), redaction });
}

/** What a shutdown records with: its state root's key, made on first need. */
export function recordingRedaction(env: RunbookEnv): RedactionPlan {
  return { kind: 'keyed', key: ensureRedactionKey(stateRootOfRunDir(env.runDir)) };
}

/** The recorded snapshot, validated against the report layer's schema. */
export function recordedSnapshot(ctx: StepContext<RunbookEnv>, key: string): ClusterSnapshot | undefined {
  const v = ctx.facts.get(key);
  return v === undefined ? undefined : parseSnapshot(JSON.stringify(v), `recorded fact ${key}`);
}

// Verification: compares the snapshot taken before the shutdown with the one taken after
// the restart, by the rules a Harvester operator checks (./verify-rules.ts). Each rule
// compares only what must come back; what legitimately changes across a restart
// (resourceVersions, ages, pod names, restart counts, VM placement, the node of a
// detached volume, which etcd member leads) is never looked at.
import type { Json } from '../engine/types.js';
import type { ClusterSnapshot } from './snapshot-types.js';
import { frameRules } from './verify-rules.js';
import { workloadRules } from './verify-rules-workloads.js';

export type Severity = 'error' | 'warning';

export interface Difference {
  /** Where: "nodes/harv41/internalIP", "vms/default/web/runStrategy". */
  path: string;
  before: Json;
  after: Json;
  severity: Severity;
  /** What is wrong with which object, and what to do. */
  explanation: string;
  /** Id of the rule that found it. */
  rule: string;
}

export interface VerifyRule {
  id: string;
  /** What the rule checks, for docs and the report ("node set and IPs unchanged"). */
  title: string;
  compare(before: ClusterSnapshot, after: ClusterSnapshot): Difference[];
}

/** Every rule, in report order: the cluster's frame first, then its workloads. */
export const defaultRules: readonly VerifyRule[] = [...frameRules, ...workloadRules];

export function diffSnapshots(
  before: ClusterSnapshot,
  after: ClusterSnapshot,
  rules: readonly VerifyRule[] = defaultRules,
): Difference[] {
  const out = rules.flatMap((r) => r.compare(before, after));
  // Errors first, then by path: the report reads top-down by importance.
  return out.sort((a, b) => (a.severity === b.severity ? a.path.localeCompare(b.path) : a.severity === 'error' ? -1 : 1));
}

export interface DiffSummary {
  total: number;
  errors: number;
  warnings: number;
}

export function summarizeDiff(diff: readonly Difference[]): DiffSummary {
  const errors = diff.filter((d) => d.severity === 'error').length;
  return { total: diff.length, errors, warnings: diff.length - errors };
}

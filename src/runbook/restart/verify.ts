// After the restart: compare the live cluster with the snapshot the shutdown recorded —
// nodes, IPs, VIP, settings, addons, Rancher scale, each VM's run strategy and state,
// volumes, system pods. Differences that are errors stop the run (resume re-verifies).
import { FatalError } from '../../common/errors.js';
import { capList } from '../../common/list.js';
import { diffSnapshots, summarizeDiff } from '../../report/index.js';
import type { Step } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { SnapshotFacts, toJson } from '../facts.js';
import { recordedSnapshot, snapshotNow } from '../lib/snapshot.js';
import { stateRootOfRunDir } from '../../journal/paths.js';
import { redactionToCompareWith } from '../../journal/redaction-key.js';

export const verifyAgainstRecord: Step<RunbookEnv> = {
  id: 'restart.verify',
  title: 'Compare the cluster with its state before the shutdown',
  seed: '5.6',
  phase: 'After restart',
  destructive: false,
  records: [SnapshotFacts.after, SnapshotFacts.verification],
  risks: ['differences that are errors (a VM not running, an addon off, another IP) stop the run naming each one'],
  async skip(ctx) {
    return ctx.facts.has(SnapshotFacts.before) ? undefined : 'the shutdown recorded no snapshot to compare with';
  },
  async check() {
    return { done: false }; // always look again
  },
  async act(ctx) {
    const before = recordedSnapshot(ctx, SnapshotFacts.before)!;
    // Masked as the shutdown masked, so an unchanged secret gives the same digest; without
    // the shutdown's key the secrets come back "cannot compare" warnings, never differences.
    const after = await snapshotNow(ctx, redactionToCompareWith(before.redaction, stateRootOfRunDir(ctx.env.runDir)));
    const diff = diffSnapshots(before, after);
    const summary = summarizeDiff(diff);
    await ctx.record(SnapshotFacts.after, toJson(after));
    await ctx.record(SnapshotFacts.verification, toJson({ summary, diff }));
    for (const d of diff.filter((x) => x.severity === 'warning')) await ctx.warn(`${d.path}: ${d.explanation}`);
    const errors = diff.filter((x) => x.severity === 'error');
    if (errors.length) {
      throw new FatalError(
        `the cluster differs from before the shutdown in ${errors.length} place(s): ${capList(errors.map((d) => `${d.path} (${d.explanation})`), 5)}`,
        'Fix those, then `fallow resume` to verify again (or `fallow verify`)',
      );
    }
  },
};

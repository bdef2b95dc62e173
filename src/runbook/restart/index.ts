// The restart runbook: seed section 5 in the article's order (leader first, quorum, VIP,
// workers, health gates, addons, Rancher, VMs in waves, a second bundle), built from the
// shutdown's journal. Nothing else knows this order.
import type { Runbook, Step } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts } from '../facts.js';
import { bundleRbac, takeSupportBundle } from '../lib/bundle.js';
import { checkVip, healthGates } from './health.js';
import { powerOnEtcdMembers, powerOnLeader, powerOnWorkers } from './power.js';
import { enableAddons, restoreScaleAvailable, scaleUpRancher, scaleUpWorkloads } from './restore.js';
import { awaitDownstreamVms, startTraditionalVms } from './vms.js';
import { verifyAgainstRecord } from './verify.js';
import { netCheckEtcdMembers, netCheckLeader, netCheckWorkers } from './net-check.js';
import { awaitDownstreamClusters, awaitHarvesterActive } from './rancher-manager.js';
import { readFact } from '../facts.js';

export const secondSupportBundle: Step<RunbookEnv> = {
  id: 'restart.support-bundle',
  title: 'Generate a new support bundle',
  seed: '5.6',
  phase: 'After restart',
  destructive: false,
  records: [Facts.bundleAfter.key],
  waitsFor: 'the SupportBundle ready, then its download',
  rbac: bundleRbac,
  enabled: (ctx) => !ctx.env.options.skipBundles,
  async check(ctx) {
    return readFact(ctx.facts, Facts.bundleAfter) ? { done: true } : { done: false };
  },
  act: (ctx) => takeSupportBundle(ctx, 'after', Facts.bundleAfter.key),
};

export const restartSteps: Step<RunbookEnv>[] = [
  powerOnLeader, // 5.1
  netCheckLeader, // 1.2 / 5 network re-check
  powerOnEtcdMembers, // 5.1
  netCheckEtcdMembers, // 1.2 / 5
  checkVip, // 5.1
  powerOnWorkers, // 5.2
  netCheckWorkers, // 1.2 / 5
  healthGates, // 5.2
  enableAddons, // 5.3
  scaleUpWorkloads, // 3.4 undone
  restoreScaleAvailable, // 5.4
  scaleUpRancher, // 5.4
  awaitHarvesterActive, // 5.4 step 3 (with --rancher-url)
  startTraditionalVms, // 5.5
  awaitDownstreamVms, // 5.5
  awaitDownstreamClusters, // 5.5.2 (with --rancher-url)
  secondSupportBundle, // 5.6
  verifyAgainstRecord, // 5.6 before/after
];

export const restartRunbook: Runbook<RunbookEnv> = { name: 'restart', steps: restartSteps };

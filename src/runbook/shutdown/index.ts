// The shutdown runbook: seed sections 1–4 in the article's order, one step per act.
// Nothing else knows this order; `plan`, `explain` and the engine all read this table.
import type { Runbook } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { backupVms } from './backups.js';
import { disableAddons } from './addons.js';
import { longhornGate, scaleDownOtherWorkloads } from './longhorn.js';
import { findEtcdLeader, shutdownEtcdFollowers, shutdownEtcdLeader, shutdownWorkers } from './nodes.js';
import { generateSupportBundle, recordNetworkFacts } from './preconditions.js';
import { snapshotBefore } from './snapshot.js';
import { recordNodeNetworks } from './net-baseline.js';
import { recordRancherManager, snapshotDownstreamClusters } from './downstream-snapshots.js';
import { clearScaleAvailable, scaleDownAgent, scaleDownRancher } from './rancher.js';
import { stopDownstreamVms, stopTraditionalVms } from './vms.js';

export const shutdownRunbook: Runbook<RunbookEnv> = {
  name: 'shutdown',
  steps: [
    generateSupportBundle, // 1.1
    recordNetworkFacts, // 1.2
    recordNodeNetworks, // 1.2 (over SSH, with a power inventory)
    snapshotBefore, // 1.2 / 5.6
    backupVms, // 2 (optional)
    recordRancherManager, // 2 (with --rancher-url)
    snapshotDownstreamClusters, // 2 (with --snapshot-downstream)
    stopTraditionalVms, // 3.1
    clearScaleAvailable, // 3.2
    scaleDownRancher, // 3.2
    scaleDownAgent, // 3.2
    stopDownstreamVms, // 3.2
    disableAddons, // 3.3
    scaleDownOtherWorkloads, // 3.4
    longhornGate, // 3.5
    shutdownWorkers, // 4.1
    findEtcdLeader, // 4.2
    shutdownEtcdFollowers, // 4.2
    shutdownEtcdLeader, // 4.3
  ],
};

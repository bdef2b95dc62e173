// The example report in docs/report-example.md: the fixture cluster through a whole
// shutdown and restart, with one volume still rebuilding after the restart. Deterministic
// (fixed times and UID), so the docs file can be checked against what the code renders.
// Regenerate: node --import tsx test/report/write-example.ts
import { buildReport, type Report } from '../../src/report/report.js';
import { captureSnapshot } from '../../src/report/snapshot.js';
import { newStore, seedCluster, storeReader } from './fixture-cluster.js';
import { restartRun, shutdownRun } from './fixture-runs.js';

export const exampleFile = new URL('../../docs/report-example.md', import.meta.url);

export async function exampleReport(): Promise<Report> {
  const store = newStore();
  const etcd = seedCluster(store);
  const before = await captureSnapshot(storeReader(store, async () => etcd), { now: () => Date.parse('2025-01-10T07:59:00Z') });
  before.cluster.id = '6c3395b7-0649-4020-a3db-1e5063512008';
  const after = { ...structuredClone(before), takenAt: '2025-01-13T07:56:00.000Z' };
  after.volumes[1]!.robustness = 'degraded';
  return buildReport({
    shutdown: shutdownRun(),
    restart: restartRun(),
    before,
    after,
    clusterName: 'lab-a',
    generatedAt: '2025-01-13T08:00:00Z',
    facts: {
      'rancher': {
        imported: true,
        rancher: { namespace: 'cattle-system', name: 'rancher', present: true, scaleAvailable: '3', replicas: 3 },
        agent: { namespace: 'cattle-system', name: 'cattle-cluster-agent', present: true, scaleAvailable: '2', replicas: 2 },
      },
      'addons': { enabled: [{ namespace: 'cattle-monitoring-system', name: 'rancher-monitoring' }], toDisable: [{ namespace: 'cattle-monitoring-system', name: 'rancher-monitoring', reason: 'holds PVCs' }] },
      'nodes.workers-off': ['harv2'],
      'nodes.etcd-off': ['harv41', 'harv43', 'harv42'],
    },
    warnings: ['Backups were not requested (--backup not set); VMs were not backed up before the shutdown.'],
  });
}

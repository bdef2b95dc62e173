// The restart against what goes wrong when a cluster comes back (seed 5): each stops with
// the object named — and the report shows it — instead of carrying on past a gate.
import { describe, expect, it } from 'vitest';
import { pairFor, reportFor } from '../../src/cli/run/report.js';
import type { VirtualMachineObject } from '../../src/common/harvester-types.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import type { FaultsInput } from '../../src/twin/faults.js';
import { loadScenarioFile } from '../../src/twin/scenario/load.js';
import { startBed, type Bed } from '../runbook/bed.js';

const storageNetwork = '{"vlan":50,"clusterNetwork":"storage","range":"192.168.50.0/24"}';

const cases: { name: string; faults: FaultsInput; stops: RegExp; report?: RegExp; settings?: Record<string, string> }[] = [
  { name: 'a node that does not boot', faults: { nodeWontBoot: ['harv42'] }, stops: /harv42/ },
  { name: 'a node that comes back with another IP', faults: { nodeIpAfterBoot: { harv42: '192.168.122.200' } }, stops: /IP changed: harv42: recorded 192\.168\.122\.142, now 192\.168\.122\.200/ },
  { name: 'a VIP that does not come back', faults: { vipDoesNotReturn: true }, stops: /ingress-expose/ },
  { name: 'an addon that fails to deploy', faults: { addonDeployFails: ['cattle-monitoring-system/rancher-monitoring'] }, stops: /rancher-monitoring failed to deploy/ },
  {
    // harvester-webhook's pod on the worker is evicted during the shutdown and replaced: the
    // replacement, never restarted, is the pod that crash-loops.
    name: 'a system pod in CrashLoopBackOff past the health timeout',
    faults: { crashLoopAfterRestart: ['harvester-system/harvester-webhook-*'] },
    stops: /Health gate not passed after 5m: 1 system pod failing: harvester-system\/harvester-webhook-\S+ CrashLoopBackOff \(\d+ restarts, on harv\d+\).*kubectl -n harvester-system describe pod harvester-webhook-\S+.*kubectl -n harvester-system logs harvester-webhook-\S+ --all-containers --previous/,
    report: /harvester-system\/harvester-webhook-\S+ CrashLoopBackOff/,
  },
  {
    name: 'a Longhorn volume faulted after the restart',
    faults: { faultedVolumeAfterRestart: ['default/*'] },
    stops: /Health gate not passed after 5m: \d+ Longhorn volumes? faulted: pvc-\S+ \(PVC default\/\S+, detached, faulted; needed by VM default\/[\w-]+.*Do not start anything that needs storage until Longhorn is healthy; recover each faulted volume in the Longhorn UI/,
    report: /pvc-\S+ \(PVC default\/\S+, detached, faulted; needed by VM default\//,
  },
  {
    name: 'a Longhorn instance manager back without the storage network',
    settings: { 'storage-network': storageNetwork },
    faults: { storageNetworkNotApplied: ['harv2'] },
    stops: /Health gate not passed after 5m: storage network not in place: setting storage-network \{"vlan":50.*\} \(NAD harvester-system\/storagenetwork-\w+\): 1 Longhorn instance-manager pod without it on lhnet1: longhorn-system\/instance-manager-\w+ \(on harv2\).*must list harvester-system\/storagenetwork-\w+ on lhnet1/,
    report: /storage network not in place: setting storage-network .*instance-manager-\w+ \(on harv2\)/,
  },
];

async function reportMarkdown(bed: Bed, restartRunId: string): Promise<string> {
  return renderMarkdown(reportFor(pairFor(bed.stateDir, bed.identity.uid, restartRunId)));
}

describe.each(cases)('restart with a fault: $name', (c) => {
  it('stops naming the object', async () => {
    const scenario = await loadScenarioFile('default');
    const bed = await startBed(c.settings ? { scenario: { ...scenario, settings: { ...scenario.settings, ...c.settings } } } : {});
    try {
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      bed.twin.faults.set(c.faults);
      const restartAt = bed.twin.clock.now();
      const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
      expect(r.state).toBe('stopped');
      expect(r.message).toMatch(c.stops);
      if (c.report) {
        expect(await reportMarkdown(bed, r.runId)).toMatch(c.report);
        // Past a failed health gate nothing that needs storage started: no VM, no addon.
        expect(bed.twin.events.find({ type: 'vmi.created', since: restartAt })).toEqual([]);
        expect(bed.twin.events.find({ type: 'addon.status', detail: 'AddonEnabling', since: restartAt })).toEqual([]);
      }
    } finally {
      await bed.close();
    }
  }, 300_000);
});

describe('restart with a faulted volume nothing of the restart needs', () => {
  it('warns at the health gate, starts the VMs, and the verification names the volume', async () => {
    const bed = await startBed();
    try {
      const vm = await bed.conn.cluster.get<VirtualMachineObject>('VirtualMachine', 'default', 'build-01'); // off before the shutdown
      const claim = vm?.spec?.template?.spec?.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
      expect(claim).toBeDefined();
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      bed.twin.faults.set({ faultedVolumeAfterRestart: [`default/${claim}`] });
      const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
      const done = bed.events.flatMap((e) => (e.type === 'step-done' ? [e.step] : []));
      expect(done).toEqual(expect.arrayContaining(['restart.health-gates', 'restart.start-traditional-vms']));
      const warning = new RegExp(`faulted that this restart does not need: pvc-\\S+ \\(PVC default/${claim}, detached, faulted; nothing this restart starts needs it\\)`);
      expect(bed.events.flatMap((e) => (e.type === 'warning' ? [e.message] : [])).join('\n')).toMatch(warning);
      // The cluster is not as it was: the verification (the last step) says so, by name.
      expect(r.state).toBe('stopped');
      expect(r.message).toMatch(new RegExp(`volumes/pvc-\\S+/robustness .*PVC default/${claim}\\) is faulted`));
      expect(await reportMarkdown(bed, r.runId)).toMatch(warning);
    } finally {
      await bed.close();
    }
  }, 300_000);
});

describe('restart with transient API errors and dropped watches', () => {
  it('retries to the end: every step done, zero differences', async () => {
    const bed = await startBed();
    try {
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      bed.twin.faults.set({ api: { errorRate: 0.05, dropWatchesAfterMs: 1500 } });
      const r = await bed.restart(s.runId, { options: { waveSize: 2 } });
      // The last step is the verification: a difference would stop the run, naming it.
      expect(r.message ?? '').toBe('');
      expect(r.state).toBe('completed');
    } finally {
      await bed.close();
    }
  }, 300_000);
});

describe('restart after a shutdown whose kubelets terminated their pods (graceful node shutdown)', () => {
  const warningsOf = (bed: Bed) => bed.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  const leftoverWarning = /(\d+) Failed pods? left over from before the restart, each replaced since by its Deployment, DaemonSet or Job \(not waited on\): (\S+) Failed \(Terminated\)/;

  it('passes the health gate with one warning naming the leftovers, and the verification finds no error', async () => {
    const bed = await startBed();
    try {
      bed.twin.faults.set({ gracefulNodeShutdown: ['*'] });
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      const terminated = bed.twin.events.find({ type: 'pod.shutdown-terminated' });
      expect(terminated.length).toBeGreaterThan(0);
      const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
      expect(r.message ?? '').toBe('');
      expect(r.state).toBe('completed');
      const gate = warningsOf(bed).filter((w) => leftoverWarning.test(w));
      expect(gate).toHaveLength(1);
      // The pods it names are the ones the kubelets terminated, still Failed.
      const named = leftoverWarning.exec(gate[0]!)![2]!;
      expect(terminated.map((e) => e.object)).toContain(named);
      expect(await reportMarkdown(bed, r.runId)).toMatch(leftoverWarning);
      // The verification (completed: no error) sets them apart too: warnings, one per namespace, by name.
      const verified = warningsOf(bed).filter((w) => w.startsWith('systemPods/'));
      expect(verified.length).toBeGreaterThan(0);
      for (const w of verified) expect(w).toMatch(/^systemPods\/[\w-]+\/leftovers: \d+ Failed pods? left over in /);
      expect(verified.join('\n')).toContain(named.split('/')[1]!);
    } finally {
      await bed.close();
    }
  }, 300_000);

  it('still stops for a Failed pod nothing replaces, naming it and not the leftovers', async () => {
    const bed = await startBed();
    try {
      bed.twin.faults.set({ gracefulNodeShutdown: ['*'] });
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      const bare = await bed.twin.api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'harvester-system', name: 'debug-shell' }, spec: { nodeName: 'harv41', containers: [{ name: 'sh' }] } });
      await bed.twin.api.patch({ apiVersion: 'v1', kind: 'Pod' }, 'harvester-system', bare.metadata.name, { status: { phase: 'Failed', reason: 'Error' } }, { subresource: 'status' });
      const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
      expect(r.state).toBe('stopped');
      expect(r.message).toMatch(/^Health gate not passed after 5m: 1 system pod failing: harvester-system\/debug-shell Failed \(Error\) \(0 restarts, on harv41\)/);
      expect(r.message).not.toMatch(/Terminated/);
    } finally {
      await bed.close();
    }
  }, 300_000);
});

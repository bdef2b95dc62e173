// The 5.2 health gate's reading of pods and volumes, and the stop it makes at the timeout.
import { describe, expect, it } from 'vitest';
import type { LonghornVolumeObject, PodObject, VirtualMachineObject } from '../../src/common/harvester-types.js';
import { NeedsOperatorError } from '../../src/common/errors.js';
import { describeFaultedVolume, describePodProblem, faultedVolumes, podProblem, storageNeeds } from '../../src/runbook/restart/health-checks.js';
import { healthStop } from '../../src/runbook/restart/health.js';
import type { VmFact } from '../../src/runbook/facts.js';

type Status = NonNullable<PodObject['status']>;
const pod = (name: string, status: Status, extra: Partial<PodObject['metadata']> = {}): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'longhorn-system', name, ...extra },
  spec: { nodeName: 'harv2' },
  status,
});
const ready = (s: 'True' | 'False') => [{ type: 'Ready', status: s }] as Status['conditions'];
const container = (c: Partial<NonNullable<Status['containerStatuses']>[number]>) => ({ name: 'c', ready: true, restartCount: 0, state: { running: {} }, ...c });

describe('podProblem', () => {
  it('passes a Running pod whose containers and Ready condition say ready, and a finished Job pod', () => {
    expect(podProblem(pod('a', { phase: 'Running', conditions: ready('True'), containerStatuses: [container({})] }))).toBeUndefined();
    expect(podProblem(pod('job', { phase: 'Succeeded' }))).toBeUndefined();
  });

  it('names a crash-looping pod with the restarts of all its containers and its node, as failing', () => {
    const p = podProblem(pod('longhorn-manager-x', {
      phase: 'Running',
      conditions: ready('False'),
      containerStatuses: [container({ ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }), container({ name: 'sidecar', restartCount: 2 })],
    }));
    expect(p).toEqual({ pod: 'longhorn-system/longhorn-manager-x', state: 'CrashLoopBackOff', restarts: 9, node: 'harv2', failing: true });
    expect(describePodProblem(p!)).toBe('longhorn-system/longhorn-manager-x CrashLoopBackOff (9 restarts, on harv2)');
  });

  it('counts a pod marked not ready by the node-lifecycle controller even though its containers still say ready', () => {
    expect(podProblem(pod('stale', { phase: 'Running', conditions: ready('False'), containerStatuses: [container({})] }))).toMatchObject({ state: 'NotReady', failing: false });
  });

  it('tells a slow start from a failure', () => {
    expect(podProblem(pod('pulling', { phase: 'Pending', containerStatuses: [container({ ready: false, state: { waiting: { reason: 'ContainerCreating' } } })] }))).toMatchObject({ state: 'ContainerCreating', failing: false });
    expect(podProblem(pod('pending', { phase: 'Pending' }))).toMatchObject({ state: 'Pending', failing: false });
    expect(podProblem(pod('image', { phase: 'Pending', containerStatuses: [container({ ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } })] }))).toMatchObject({ failing: true });
    expect(podProblem(pod('failed', { phase: 'Failed', reason: 'NodeShutdown' } as Status))).toMatchObject({ state: 'Failed (NodeShutdown)', failing: true });
    expect(podProblem(pod('going', { phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toMatchObject({ state: 'Terminating', failing: false });
  });
});

const volume = (name: string, robustness: 'faulted' | 'healthy', pvc?: { namespace: string; pvcName: string }, pods: string[] = []): LonghornVolumeObject => ({
  apiVersion: 'longhorn.io/v1beta2',
  kind: 'Volume',
  metadata: { namespace: 'longhorn-system', name },
  status: { state: 'detached', robustness, kubernetesStatus: { ...pvc, workloadsStatus: pods.map((podName) => ({ podName })) } },
});
const vm = (name: string, claims: string[]): VirtualMachineObject => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { namespace: 'default', name },
  spec: { template: { spec: { volumes: claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c } })) } } },
});
const fact = (name: string, vmiRan: boolean): VmFact => ({ namespace: 'default', name, vmiRan, downstream: false, priority: 0 });

describe('faultedVolumes', () => {
  const needs = storageNeeds([fact('web', true), fact('build', false)], [vm('web', ['web-disk']), vm('build', ['build-disk'])], ['cattle-monitoring-system']);
  const found = faultedVolumes(
    [
      volume('pvc-web', 'faulted', { namespace: 'default', pvcName: 'web-disk' }),
      volume('pvc-build', 'faulted', { namespace: 'default', pvcName: 'build-disk' }),
      volume('pvc-prom', 'faulted', { namespace: 'cattle-monitoring-system', pvcName: 'prometheus-db' }),
      volume('pvc-used', 'faulted', { namespace: 'apps', pvcName: 'data' }, ['db-0']),
      volume('pvc-ok', 'healthy', { namespace: 'default', pvcName: 'web-disk-2' }),
      volume('pvc-orphan', 'faulted'),
    ],
    needs,
  );

  it('lists only faulted volumes, each with the PVC it backs and what this restart starts that needs it', () => {
    expect(found.map((v) => [v.volume, v.neededBy])).toEqual([
      ['pvc-web', ['VM default/web']],
      ['pvc-build', []], // its VM was off before the shutdown
      ['pvc-prom', ['the workloads of namespace cattle-monitoring-system']],
      ['pvc-used', ['pod apps/db-0']],
      ['pvc-orphan', []],
    ]);
  });

  it('describes one for a person', () => {
    expect(describeFaultedVolume(found[0]!)).toBe('pvc-web (PVC default/web-disk, detached, faulted; needed by VM default/web)');
    expect(describeFaultedVolume(found[4]!)).toBe('pvc-orphan (no PVC, detached, faulted; nothing this restart starts needs it)');
  });
});

describe('healthStop', () => {
  it('names the failing pods first, then the slow ones and the faulted volumes, with the seed’s advice for the first failing pod', () => {
    const err = healthStop(
      {
        pods: [
          { pod: 'kube-system/rke2-coredns-1', state: 'NotReady', restarts: 1, node: 'harv41', failing: false },
          { pod: 'longhorn-system/longhorn-manager-x', state: 'CrashLoopBackOff', restarts: 12, node: 'harv2', failing: true },
        ],
        volumes: [{ volume: 'pvc-web', pvc: 'default/web-disk', state: 'detached', neededBy: ['VM default/web'] }],
      },
      15 * 60_000,
    );
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect(err.message).toBe(
      'Health gate not passed after 15m: 1 system pod failing: longhorn-system/longhorn-manager-x CrashLoopBackOff (12 restarts, on harv2); ' +
        '1 system pod not Running/Ready: kube-system/rke2-coredns-1 NotReady (1 restart, on harv41); ' +
        '1 Longhorn volume faulted: pvc-web (PVC default/web-disk, detached, faulted; needed by VM default/web)',
    );
    expect(err.hint).toMatch(/^Troubleshoot before going on \(seed 5\.2\): `kubectl -n longhorn-system describe pod longhorn-manager-x` and `kubectl -n longhorn-system logs longhorn-manager-x --all-containers --previous` show why it fails; do not start anything that needs storage/);
    expect(err.hint).toMatch(/salvage a replica.*`fallow resume`/);
  });
});

// The 5.2 health gate's reading of pods and volumes, and the stop it makes at the timeout.
import { describe, expect, it } from 'vitest';
import type { LonghornVolumeObject, PodObject, VirtualMachineObject } from '../../src/common/harvester-types.js';
import { NeedsOperatorError } from '../../src/common/errors.js';
import { describeFaultedVolume, describePodProblem, faultedVolumes, podProblem, storageNeeds, systemPodFindings, type PodProblem } from '../../src/runbook/restart/health-checks.js';
import { healthStop, leftoverWarning } from '../../src/runbook/restart/health.js';
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

describe('systemPodFindings: Failed pods left over from before the restart', () => {
  type Owner = { kind: string; name: string };
  const at = (minute: number) => `2026-11-26T00:${String(minute).padStart(2, '0')}:00Z`;
  const owned = (name: string, owner: Owner | undefined, created: number, status: Status, node = 'harv2'): PodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: 'harvester-system',
      name,
      creationTimestamp: at(created),
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', ...owner, uid: `uid-${owner.name}`, controller: true }] } : {}),
    },
    spec: { nodeName: node },
    status,
  });
  const terminated = { phase: 'Failed', reason: 'Terminated', message: 'Pod was terminated in response to imminent node shutdown.' } as Status;
  const up = { phase: 'Running', conditions: ready('True'), containerStatuses: [container({})] } as Status;
  const crashing = { phase: 'Running', conditions: ready('False'), containerStatuses: [container({ ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } })] } as Status;
  const rs = (hash: string) => ({ kind: 'ReplicaSet', name: `harvester-webhook-${hash}` });
  const names = (ps: PodProblem[]) => ps.map((p) => p.pod.split('/')[1]);

  it('sets apart a Deployment pod replaced since by a Ready one, also of a newer ReplicaSet, and warns it with the command that removes it', () => {
    const f = systemPodFindings([
      owned('harvester-webhook-5d8f7b6c9d-old1', rs('5d8f7b6c9d'), 1, terminated),
      owned('harvester-webhook-7c9b8d6f5e-new1', rs('7c9b8d6f5e'), 5, up),
    ]);
    expect(f.problems).toEqual([]);
    expect(f.leftovers).toEqual([{ pod: 'harvester-system/harvester-webhook-5d8f7b6c9d-old1', state: 'Failed (Terminated)', restarts: 0, node: 'harv2', failing: false }]);
    expect(leftoverWarning(f.leftovers)).toBe(
      '1 Failed pod left over from before the restart, each replaced since by its Deployment, DaemonSet or Job (not waited on): ' +
        'harvester-system/harvester-webhook-5d8f7b6c9d-old1 Failed (Terminated) (0 restarts, on harv2); read what you need from them (reason, logs), then delete them: ' +
        '`kubectl -n harvester-system delete pod harvester-webhook-5d8f7b6c9d-old1`',
    );
  });

  it('keeps a Deployment pod failing when its replacement fails too: crash-looping, or Failed itself', () => {
    const crash = systemPodFindings([owned('harvester-webhook-5d8f7b6c9d-old1', rs('5d8f7b6c9d'), 1, terminated), owned('harvester-webhook-5d8f7b6c9d-new1', rs('5d8f7b6c9d'), 5, crashing)]);
    expect(crash.leftovers).toEqual([]);
    expect(crash.problems.map((p) => [p.state, p.failing])).toEqual([['Failed (Terminated)', true], ['CrashLoopBackOff', true]]);
    const rejected = { phase: 'Failed', reason: 'UnexpectedAdmissionError' } as Status;
    const again = systemPodFindings([owned('harvester-webhook-5d8f7b6c9d-old1', rs('5d8f7b6c9d'), 1, terminated), owned('harvester-webhook-5d8f7b6c9d-new1', rs('5d8f7b6c9d'), 5, rejected)]);
    expect(again.leftovers).toEqual([]);
    expect(again.problems.every((p) => p.failing)).toBe(true);
  });

  it('takes only a pod created later as evidence: a replica Ready all along does not replace the one that failed', () => {
    const f = systemPodFindings([owned('harvester-webhook-5d8f7b6c9d-a', rs('5d8f7b6c9d'), 3, up), owned('harvester-webhook-5d8f7b6c9d-b', rs('5d8f7b6c9d'), 3, terminated)]);
    expect(names(f.problems)).toEqual(['harvester-webhook-5d8f7b6c9d-b']);
    expect(f.problems[0]?.failing).toBe(true);
  });

  it('needs a DaemonSet’s replacement on the same node, and a Job’s Succeeded pod', () => {
    const ds = { kind: 'DaemonSet', name: 'virt-handler' };
    const f = systemPodFindings([
      owned('virt-handler-aaaaa', ds, 1, terminated, 'harv2'),
      owned('virt-handler-bbbbb', ds, 1, terminated, 'harv3'),
      owned('virt-handler-ccccc', ds, 5, up, 'harv2'),
      owned('virt-handler-ddddd', ds, 5, up, 'harv4'),
    ]);
    expect(names(f.leftovers)).toEqual(['virt-handler-aaaaa']);
    expect(names(f.problems)).toEqual(['virt-handler-bbbbb']);
    const job = { kind: 'Job', name: 'helm-install-x' };
    const j = systemPodFindings([owned('helm-install-x-1', job, 1, { phase: 'Failed', reason: 'Error' } as Status), owned('helm-install-x-2', job, 2, { phase: 'Succeeded' })]);
    expect(names(j.leftovers)).toEqual(['helm-install-x-1']);
    const running = systemPodFindings([owned('helm-install-x-1', job, 1, { phase: 'Failed' }), owned('helm-install-x-2', job, 2, up)]);
    expect(names(running.problems)).toEqual(['helm-install-x-1']);
  });

  it('never sets apart a bare pod, a mirror pod, a StatefulSet pod or one without a creation time', () => {
    const later = owned('other', { kind: 'ReplicaSet', name: 'x-5d8f7b6c9d' }, 9, up);
    const f = systemPodFindings([
      owned('bare', undefined, 1, terminated),
      owned('etcd-harv2', { kind: 'Node', name: 'harv2' }, 1, terminated),
      owned('prometheus-0', { kind: 'StatefulSet', name: 'prometheus' }, 1, terminated),
      owned('prometheus-1', { kind: 'StatefulSet', name: 'prometheus' }, 5, up),
      { ...owned('x-5d8f7b6c9d-nots', { kind: 'ReplicaSet', name: 'x-5d8f7b6c9d' }, 1, terminated), metadata: { namespace: 'harvester-system', name: 'x-5d8f7b6c9d-nots', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x-5d8f7b6c9d', uid: 'u', controller: true }] } },
      later,
    ]);
    expect(f.leftovers).toEqual([]);
    expect(names(f.problems.filter((p) => p.failing))).toEqual(['bare', 'etcd-harv2', 'prometheus-0', 'x-5d8f7b6c9d-nots']);
  });

  it('past a handful of leftovers in a namespace, removes them by phase', () => {
    const many = Array.from({ length: 6 }, (_, i): PodProblem => ({ pod: `kube-system/rke2-canal-${i}`, state: 'Failed (Terminated)', restarts: 0, failing: false }));
    expect(leftoverWarning(many)).toMatch(/^6 Failed pods left over .* and 1 more; .*`kubectl -n kube-system delete pods --field-selector=status\.phase==Failed`$/);
  });
});

import { readFileSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcdctl } from '../../src/common/harvester.js';
import { ScaledClock } from '../../src/common/clock.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { twinUp } from '../../src/twin/up.js';

describe('startTwin with its API server', () => {
  let twin: Twin;
  let kc: KubeConfig;
  beforeAll(async () => {
    twin = await startTwin({ scenarioPath: 'default', scale: 1000 });
    kc = new KubeConfig();
    kc.loadFromFile(twin.kubeconfigPath);
  });
  afterAll(async () => twin?.stop());

  it('writes a private kubeconfig for its loopback HTTPS endpoint', () => {
    expect(twin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(twin.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(twin.kubeconfigPath, 'utf8')).toContain(twin.url);
  });

  it('serves the seed cluster to a Kubernetes client', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(['harv2', 'harv41', 'harv42', 'harv43']);
    const ns = await core.readNamespace({ name: 'kube-system' });
    expect(ns.metadata?.uid).toBe(twin.clusterUid);
    const rancher = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'rancher', namespace: 'cattle-system' });
    expect(rancher.metadata?.annotations?.['management.cattle.io/scale-available']).toBe('3');
    expect(rancher.status?.readyReplicas).toBe(3);
    const svc = await core.readNamespacedService({ name: 'ingress-expose', namespace: 'kube-system' });
    expect(svc.status?.loadBalancer?.ingress?.[0]?.ip).toBe('192.168.122.144');
  });

  it('runs the seed’s etcdctl command through kubectl-style exec', async () => {
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    let status: V1Status | undefined;
    const cmd = ['env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags];
    const ws = await new Exec(kc).exec('kube-system', 'etcd-harv41', 'etcd', cmd, out, null, null, false, (s) => (status = s));
    await new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.on('close', () => r())));
    expect(status?.status).toBe('Success');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[1]).toBe('|           ENDPOINT           |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |');
    expect(lines[3]).toMatch(/^\| https:\/\/192\.168\.122\.141:2379 \| c70780b7862269c9 \| {3}3\.5\.9 \| {3}34 MB \| {6}true \| {6}false \| {8}45 \|/);
  });

  it('answers "connection refused" once every control-plane node is down', async () => {
    for (const n of ['harv41', 'harv42', 'harv43']) twin.power.forceOff(n);
    const core = kc.makeApiClient(CoreV1Api);
    const deadline = Date.now() + 5000;
    let err: unknown;
    while (Date.now() < deadline) {
      try {
        await core.listNode();
      } catch (e) {
        err = e;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(String((err as { cause?: { code?: string } })?.cause?.code ?? err)).toMatch(/ECONNREFUSED/);
  });
});

describe('the twin is reproducible', () => {
  it('builds the same identity, uids and volume names from the same scenario', async () => {
    const a = await startTwin({ scenarioPath: 'default', server: false });
    const b = await startTwin({ scenarioPath: 'default', server: false });
    try {
      expect(a.clusterUid).toBe(b.clusterUid);
      const names = (t: Twin) => t.store.scan(t.store.typeOfKind('longhorn.io/v1beta2', 'Volume')).map((v) => v.metadata.name);
      expect(names(a)).toEqual(names(b));
      expect(names(a)[0]).toMatch(/^pvc-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('runs on a clock it is given', async () => {
    const clock = new ScaledClock(500);
    const t = await startTwin({ scenarioPath: 'witness', clock, server: false });
    try {
      expect(t.clock).toBe(clock);
      expect(t.etcd.leader()?.node).toBe('harv43');
    } finally {
      await t.stop();
    }
  });
});

describe('twinUp', () => {
  it('prints the kubeconfig and FALLOW_CLOCK, writes an env file, and stops when told', async () => {
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const running = twinUp({ scenarioPath: 'default', scale: 300, print: (l) => lines.push(l), until, powerFronts: false });
    const deadline = Date.now() + 20_000;
    while (!lines.some((l) => l.startsWith('in another shell')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    const info = await running;
    expect(lines.join('\n')).toContain(`kubeconfig ${info.kubeconfigPath}`);
    expect(info.fallowClock).toMatch(/^scaled:300:\d+:\d+$/);
    expect(readFileSync(info.envFile, 'utf8')).toContain(`export FALLOW_CLOCK=${info.fallowClock}`);
    expect(lines.at(-1)).toBe('stopping the twin');
  });
});

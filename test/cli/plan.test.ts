// `fallow plan` against a twin API server: the inventory and the ordered plan, no write
// request, and one clear line + the documented exit code for each kind of bad input.
// Two runs are real child processes, as a user runs it (exit code 0 with JSON on stdout,
// exit 3 with YAML); the rest call main() in this process, which maps errors to lines and
// exit codes the same way, without tsx's start-up per run.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import type { Plan } from '../../src/cli/plan/plan.js';
import { type Bed, harvesterStore, startBed } from '../cluster/fixture.js';
import { runCli } from '../helpers/cli.js';
import { runMain } from './run-main.js';

/** Requests that could change something: anything but GET, except access reviews. */
function writes(bed: Bed) {
  return bed.api.requestLog.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.resource === 'selfsubjectaccessreviews'));
}

const planInProcess = (args: string[], env: Record<string, string> = {}) => runMain(['plan', ...args], env);

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('fallow plan', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
  });
  afterAll(() => bed.close());

  it('prints inventory, preflight and the ordered steps as JSON, and writes nothing', async () => {
    const r = await runCli(['plan', '-o', 'json', '--kubeconfig', bed.kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.kind).toBe('Plan');
    expect(plan.ok).toBe(true);
    expect(plan.cluster).toMatchObject({ server: bed.api.url, harvesterVersion: 'v1.4.2' });
    expect(plan.cluster.uid).toBe(bed.store.get(bed.store.typeOfKind('v1', 'Namespace'), undefined, 'kube-system').metadata.uid);
    expect(plan.inventory.nodes.map((n) => [n.name, n.controlPlane, n.ip])).toEqual([
      ['harv1', true, '10.0.0.1'],
      ['harv2', true, '10.0.0.2'],
      ['harv3', false, '10.0.0.3'],
    ]);
    expect(plan.inventory.etcd).toMatchObject({ leader: 'harv1' });
    expect(plan.inventory.rancher.deployments[0]).toMatchObject({ name: 'rancher', scaleAvailable: '3' });
    const shutdown = plan.runbooks.find((rb) => rb.name === 'shutdown')!;
    expect(shutdown.steps[0]).toMatchObject({ n: 1, seed: '1.1' });
    expect(shutdown.steps.at(-1)).toMatchObject({ seed: '4.3' });
    // Seed sections never go backwards within the shutdown.
    const seeds = shutdown.steps.map((s) => s.seed.split('.').map(Number));
    for (let i = 1; i < seeds.length; i++) expect(seeds[i]![0]! * 100 + (seeds[i]![1] ?? 0)).toBeGreaterThanOrEqual(seeds[i - 1]![0]! * 100 + (seeds[i - 1]![1] ?? 0));
    expect(plan.runbooks.map((rb) => rb.name)).toEqual(['shutdown', 'restart']);
    expect(plan.preflight.find((p) => p.id === 'rbac')?.status).toBe('ok');
    expect(writes(bed)).toEqual([]);
    expect(bed.api.requestLog.some((r) => r.resource === 'selfsubjectaccessreviews')).toBe(true);
  });

  it('prints a human table with the preflight verdict and the steps', async () => {
    const r = await planInProcess(['--kubeconfig', bed.kubeconfig]);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^Cluster /);
    expect(r.stdout).toContain('kube-system UID');
    expect(r.stdout).toMatch(/Plan: shutdown \(\d+ steps, in this order\)/);
    expect(r.stdout).toMatch(/ok\s+etcd healthy with a leader: 2 members, leader on harv1/);
    expect(r.stdout).toContain('Preflight passed.');
    expect(r.stdout).not.toContain('\u001b['); // NO_COLOR / not a TTY
  });

  it('exits 3 when a preflight check fails (a NotReady node), still printing the plan', async () => {
    const nodes = bed.store.typeOfKind('v1', 'Node');
    const n = bed.store.get(nodes, undefined, 'harv3');
    bed.store.update(nodes, { ...n, status: { ...(n.status as object), conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }, { subresource: 'status' });
    try {
      const r = await runCli(['plan', '-o', 'yaml', '--kubeconfig', bed.kubeconfig]);
      expect(r.code).toBe(ExitCode.preflight);
      expect(r.stdout).toMatch(/id: nodes-ready\n\s+title: All nodes Ready\n\s+status: fail\n\s+detail: "not Ready: harv3"/);
    } finally {
      const cur = bed.store.get(nodes, undefined, 'harv3');
      bed.store.update(nodes, { ...cur, status: { ...(cur.status as object), conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    }
  });
});

describe('fallow plan with bad input: one line, documented exit code, nothing changed', () => {
  it('no kubeconfig at all → 2', async () => {
    const r = await planInProcess([]);
    expect(r.code).toBe(ExitCode.usage);
    expect(oneLine(r.stderr)).toMatch(/^fallow: no kubeconfig found: KUBECONFIG is not set and .*\/\.kube\/config does not exist\. Pass --kubeconfig <file>/);
    expect(r.stdout).toBe('');
  });

  it('an unknown context → 2, naming the known ones', async () => {
    const bed = await startBed();
    try {
      const r = await planInProcess(['--context', 'nope'], { KUBECONFIG: bed.kubeconfig });
      expect(r.code).toBe(ExitCode.usage);
      expect(oneLine(r.stderr)).toMatch(/^fallow: context "nope" not found in kubeconfig .*\. Known contexts: \S+; pass one with --context$/);
      expect(bed.api.requestLog).toEqual([]);
    } finally {
      await bed.close();
    }
  });

  it('an unreachable server → 4, naming the URL', async () => {
    const bed = await startBed();
    await bed.api.setReachability('refused');
    try {
      const r = await planInProcess(['--kubeconfig', bed.kubeconfig, '--request-timeout', '5s']);
      expect(r.code).toBe(ExitCode.unreachable);
      expect(oneLine(r.stderr)).toBe(`fallow: cannot reach the Kubernetes API at ${bed.api.url}: connection refused (get /version). Check that the cluster is up and that the kubeconfig's server address is right`);
    } finally {
      await bed.close();
    }
  });

  it('a cluster without the Harvester APIs → 3, naming the missing groups', async () => {
    const bed = await startBed({ store: harvesterStore({ harvester: false }) });
    try {
      const r = await planInProcess(['--kubeconfig', bed.kubeconfig]);
      expect(r.code).toBe(ExitCode.preflight);
      expect(oneLine(r.stderr)).toMatch(/^fallow: not a Harvester cluster: the API server at \S+ serves no harvesterhci\.io, kubevirt\.io, longhorn\.io API groups\. Point --kubeconfig\/--context at the Harvester cluster/);
      expect(writes(bed)).toEqual([]);
    } finally {
      await bed.close();
    }
  });

  it('a user who may not read what plan needs → 3, naming verb and resource', async () => {
    const bed = await startBed({
      rbac: true,
      users: [{ name: 'viewer', token: 'viewer-token-0123456789', rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] }],
    });
    try {
      const kc = join(bed.dir, 'viewer.kubeconfig');
      await bed.api.writeKubeconfig(kc, { user: 'viewer' });
      const r = await planInProcess(['--kubeconfig', kc]);
      expect(r.code).toBe(ExitCode.preflight);
      const line = oneLine(r.stderr);
      expect(line).toMatch(/^fallow: the kubeconfig's user may not read what fallow needs: /);
      expect(line).toContain('get namespaces (all namespaces)');
      expect(line).toContain('create pods/exec in kube-system');
      expect(line).toMatch(/Grant them, or run `fallow rbac`/);
      expect(line).not.toContain('viewer-token');
      expect(writes(bed)).toEqual([]);
    } finally {
      await bed.close();
    }
  });

  it('a user who may read but not act → plan printed, rbac check fails with the missing verbs, exit 3', async () => {
    const read = ['get', 'list', 'watch'];
    const bed = await startBed({
      rbac: true,
      users: [
        {
          name: 'reader',
          token: 'reader-token-0123456789',
          rules: [
            { apiGroups: ['*'], resources: ['*'], verbs: read },
            { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
          ],
        },
      ],
    });
    try {
      const kc = join(bed.dir, 'reader.kubeconfig');
      await bed.api.writeKubeconfig(kc, { user: 'reader' });
      const r = await planInProcess(['-o', 'json', '--kubeconfig', kc]);
      expect(r.code).toBe(ExitCode.preflight);
      const plan = JSON.parse(r.stdout) as Plan;
      const rbac = plan.preflight.find((p) => p.id === 'rbac')!;
      expect(rbac.status).toBe('fail');
      expect(rbac.detail).toMatch(/patch deployments\.apps\/scale in cattle-system|patch addons\.harvesterhci\.io/);
      expect(writes(bed)).toEqual([]);
    } finally {
      await bed.close();
    }
  });

  it('a bad flag → 2', async () => {
    const r = await planInProcess(['-o', 'xml']);
    expect(r.code).toBe(ExitCode.usage);
    expect(oneLine(r.stderr)).toMatch(/^fallow: option '-o, --output <format>' argument 'xml' is invalid/);
  });

  it('a bad --request-timeout → 2', async () => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'fallow-kc-')));
    const kc = join(dir, 'kc');
    await writeFile(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const r = await planInProcess(['--kubeconfig', kc, '--request-timeout', 'soon']);
    expect(r.code).toBe(ExitCode.usage);
    expect(oneLine(r.stderr)).toMatch(/^fallow: invalid --request-timeout "soon"/);
  });
});

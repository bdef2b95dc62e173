// Least privilege, proven on the twin's RBAC mode: as a user holding exactly the roles
// `fallow rbac` prints (ClusterRole + namespaced Roles), `fallow plan` finds every
// permission and a whole shutdown + restart runs without one 403; then, one rule taken
// away at a time, the run stops at a 403 whose message names the verb and the resource.
// The removal table is a representative subset (one rule per stage of the procedure,
// cluster-wide and namespaced), not all ~26 rules: each case is a twin and a run of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbacManifests } from '../../src/cli/actions/rbac.js';
import { ExitCode } from '../../src/common/errors.js';
import { clusterIdentity } from '../../src/cluster/discovery.js';
import { connect, type Connection } from '../../src/cluster/connect.js';
import type { RunResult } from '../../src/engine/options.js';
import { runRunbook } from '../../src/engine/run.js';
import type { ClusterIdentity } from '../../src/journal/records.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { defaultRunOptions, restartRunbook, shutdownRunbook, type RunbookEnv } from '../../src/runbook/index.js';
import type { TwinPolicyRule } from '../../src/twin/apiserver/types.js';
import type { Twin } from '../../src/twin/runtime.js';
import { runMain } from '../cli/run-main.js';
import { TwinPowerPort } from '../helpers/twin-power-port.js';
import { useVirtualBucket } from '../helpers/virtual-bucket.js';
import { startVirtualTwin } from '../helpers/virtual-twin.js';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The twin user's rules from the manifests: ClusterRole rules everywhere, Role rules in their namespace. */
function twinRules(): TwinPolicyRule[] {
  return rbacManifests({ name: 'fallow', clusterWide: false }).flatMap((m) => {
    const rules = (m.rules ?? []) as PolicyRule[];
    if (m.kind === 'ClusterRole') return rules;
    if (m.kind === 'Role') return rules.map((r) => ({ ...r, namespaces: [(m.metadata as { namespace: string }).namespace] }));
    return [];
  });
}

const full = twinRules();
const kubeconfigOf = (twin: Twin, user: string) => join(twin.kubeconfigPath, '..', `${user}.kubeconfig`);
const operator = 'fallow-operator';

/**
 * A twin whose only non-admin users are `fallow-operator` (the full rules) and, for a case,
 * `fallow-minus` (without one rule); each connected once, up front, as the restart must
 * find its client ready while the API is still down.
 */
class RbacBed {
  private stateDir = mkdtempSync(join(tmpdir(), 'fallow-rbac-'));
  private constructor(
    readonly twin: Twin,
    private readonly identity: ClusterIdentity,
    private readonly conns: Map<string, Connection>,
  ) {}

  static async start(minus?: TwinPolicyRule[]): Promise<RbacBed> {
    const users = [{ name: operator, token: 'operator-token', rules: full }, ...(minus ? [{ name: 'fallow-minus', token: 'minus-token', rules: minus }] : [])];
    const twin = await startVirtualTwin({ scenarioPath: 'default', rbac: true, users });
    const admin = await connect({ kubeconfig: twin.kubeconfigPath, clock: twin.clock, env: {}, requestTimeoutMs: 10_000 });
    const id = await clusterIdentity(admin.cluster);
    admin.cluster.close();
    const conns = new Map<string, Connection>();
    for (const u of users) {
      const kubeconfig = kubeconfigOf(twin, u.name);
      await twin.server!.writeKubeconfig(kubeconfig, { user: u.name });
      const conn = await connect({ kubeconfig, clock: twin.clock, env: {}, requestTimeoutMs: 10_000 });
      useVirtualBucket(conn.cluster, twin.clock);
      conns.set(u.name, conn);
    }
    return new RbacBed(twin, { uid: id.uid, server: id.server }, conns);
  }

  run(user: string, runbook: typeof shutdownRunbook, parentRunId?: string): Promise<RunResult> {
    const cluster = this.conns.get(user)!.cluster;
    const power = new TwinPowerPort(this.twin.power, () => this.twin.clock.now());
    const makeEnv = ({ runDir }: { runDir: string }): RunbookEnv => ({ cluster, power, options: { ...defaultRunOptions }, runDir });
    return runRunbook({ runbook, makeEnv, clock: this.twin.clock, identity: this.identity, stateDir: this.stateDir, options: { yes: true }, ...(parentRunId ? { parentRunId } : {}) });
  }

  forbidden(user: string) {
    return this.twin.server!.requestLog.filter((r) => r.status === 403 && r.user === user);
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) c.cluster.close();
    await this.twin.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

describe('a full cycle with exactly the rules `fallow rbac` prints', () => {
  let bed: RbacBed;
  beforeAll(async () => {
    bed = await RbacBed.start();
  });
  afterAll(async () => bed?.close());

  it('plans as that user: preflight finds every permission, nothing refused', async () => {
    const r = await runMain(['plan', '-o', 'json', '--kubeconfig', kubeconfigOf(bed.twin, operator)]);
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout) as { ok: boolean; preflight: { id: string; status: string; detail: string }[] };
    expect(plan.preflight.find((c) => c.id === 'rbac')).toMatchObject({ status: 'ok' });
    expect(r.code).toBe(ExitCode.ok);
    expect(bed.forbidden(operator)).toEqual([]);
  });

  it('shuts down and restarts as a non-admin user, never refused', async () => {
    const down = await bed.run(operator, shutdownRunbook);
    expect(down.message ?? '').toBe('');
    expect(down.state).toBe('completed');
    const up = await bed.run(operator, restartRunbook, down.runId);
    expect(up.message ?? '').toBe('');
    expect(up.state).toBe('completed');
    const verification = replay(readJournal(join(up.runDir!, 'journal.jsonl')).records).facts.get('verification') as { summary: { errors: number } };
    expect(verification.summary.errors).toBe(0);
    expect(bed.forbidden(operator)).toEqual([]);
    // The run really went through the checked user, not around it.
    expect(bed.twin.server!.requestLog.filter((r) => r.user === operator).length).toBeGreaterThan(100);
  });
});

/** How cluster/errors.ts names a resource: "pods/exec", "virtualmachines.subresources.kubevirt.io/stop". */
function label(group: string, resource: string): string {
  const [res, sub] = resource.split('/');
  return `${group ? `${res}.${group}` : res}${sub ? `/${sub}` : ''}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One rule per stage of the seed, cluster-wide and namespaced (Role) rules both.
const cases: { why: string; group: string; resource: string; namespace?: string; phase: 'shutdown' | 'restart' }[] = [
  { why: 'support bundle (1.1), Role in harvester-system', group: 'harvesterhci.io', resource: 'supportbundles', namespace: 'harvester-system', phase: 'shutdown' },
  { why: 'VIP and ingress-expose recorded (1.2), Role in kube-system', group: '', resource: 'services', namespace: 'kube-system', phase: 'shutdown' },
  { why: 'guest shutdown of VMs (3.1)', group: 'subresources.kubevirt.io', resource: 'virtualmachines/stop', phase: 'shutdown' },
  { why: 'Rancher scale-available cleared (3.2), Role in cattle-system', group: 'apps', resource: 'deployments', namespace: 'cattle-system', phase: 'shutdown' },
  { why: 'etcd leader read by exec (4.2), Role in kube-system', group: '', resource: 'pods/exec', namespace: 'kube-system', phase: 'shutdown' },
  { why: 'VMs started again in waves (5.5)', group: 'subresources.kubevirt.io', resource: 'virtualmachines/start', phase: 'restart' },
];

describe.each(cases.map((c) => ({ ...c, rule: label(c.group, c.resource) + (c.namespace ? ` in ${c.namespace}` : '') })))('without $rule: $why', (c) => {
  const removed = full.filter((r) => r.apiGroups.includes(c.group) && r.resources.includes(c.resource) && (c.namespace ? r.namespaces?.includes(c.namespace) : !r.namespaces));
  let bed: RbacBed;
  beforeAll(async () => {
    bed = await RbacBed.start(full.filter((r) => !removed.includes(r)));
  });
  afterAll(async () => bed?.close());

  it('the run stops at a 403 that names the verb and the resource', async () => {
    expect(removed).toHaveLength(1);
    let result: RunResult;
    if (c.phase === 'restart') {
      const down = await bed.run(operator, shutdownRunbook);
      expect(down.state).toBe('completed');
      result = await bed.run('fallow-minus', restartRunbook, down.runId);
    } else result = await bed.run('fallow-minus', shutdownRunbook);
    expect(result.state).toBe('stopped');
    // An exec is refused at the WebSocket handshake, whose answer names neither the user nor
    // the RBAC verb (create): the cluster layer then says "exec" and "the kubeconfig's user".
    const verbs = [...removed[0]!.verbs, ...(c.resource === 'pods/exec' ? ['exec'] : [])].join('|');
    const who = c.resource === 'pods/exec' ? `the kubeconfig's user` : 'user "fallow-minus"';
    const where = c.namespace ? `in namespace "${escape(c.namespace)}"` : '(in namespace "[^"]+"|at cluster scope)';
    expect(result.message).toMatch(new RegExp(`^forbidden: ${who} may not (${verbs}) ${escape(label(c.group, c.resource))}( "[^"]+")? ${where}\\. Grant it, or run \`fallow rbac\``));
    expect(bed.forbidden('fallow-minus').length).toBeGreaterThan(0);
  });
});

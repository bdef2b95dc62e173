// The whole seed against a real control plane: fallow's shutdown, restart and verification
// through a real kube-apiserver (with kube-controller-manager, RBAC, the apiserver's exec
// path to a kubelet, the aggregated KubeVirt subresources), the twin's models driving the
// cluster through that API. Checked as on the in-memory twin (test/runbook/cycle.test.ts):
// zero verification differences, and the seed's ordering rules from the twin's event log.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbacManifests } from '../../src/cli/actions/rbac.js';
import { Facts } from '../../src/runbook/facts.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { auditRestart, auditRoles, auditShutdown } from '../../src/twin/audit.js';
import { bedOver, type Bed } from '../runbook/bed.js';
import { startTwinOverBed, type TwinOverBed } from './twin-bed.js';

const roles = (bed: Bed) => auditRoles(bed.twin.scenario);

/** Binds `user` to exactly what `fallow rbac --user <user>` prints, applied with the real kubectl. */
async function bindFallowRbac(world: TwinOverBed, user: string): Promise<void> {
  const items = rbacManifests({ name: 'fallow', clusterWide: false, subject: { kind: 'User', name: user } });
  const out = await world.bed.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
}

const operator = 'fallow-operator';

describe.each([
  { scenarioPath: 'default', user: 'fidelity-admin' },
  { scenarioPath: 'witness', user: 'fidelity-admin' },
  // The printed role proven sufficient on a real RBAC authorizer: no 403 in a whole cycle.
  { scenarioPath: 'default', user: operator },
])('full cycle against a real control plane, $scenarioPath scenario, as $user', ({ scenarioPath, user }) => {
  let world: TwinOverBed;
  let bed: Bed;
  beforeAll(async () => {
    world = await startTwinOverBed({ scenarioPath, users: [{ name: operator, groups: [] }] });
    if (user === operator) await bindFallowRbac(world, operator);
    bed = await bedOver(world.twin, await world.kubeconfigFor(user), () => world.stop());
  }, 300_000);
  afterAll(async () => {
    // Evidence for a failed run, kept with the daemon logs under FALLOW_FIDELITY_KEEP=1:
    // the twin's event log (modelled times) and fallow's runs (journals).
    if (world && bed) {
      writeFileSync(join(world.bed.dir, 'twin-events.jsonl'), bed.twin.events.all().map((e) => JSON.stringify(e)).join('\n'));
      cpSync(bed.stateDir, join(world.bed.dir, 'fallow-state'), { recursive: true });
    }
    await bed?.close();
  });

  let shutdownRun = '';
  it('shuts down in the seed order; the real apiserver goes away with etcd quorum', { timeout: 600_000, retry: 0 }, async () => {
    const started = Date.now();
    const shutdownStart = bed.twin.clock.now();
    const initialLeader = bed.twin.etcd.leader()?.node;
    const r = await bed.shutdown();
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    shutdownRun = r.runId;
    for (const n of bed.twin.power.nodes()) expect(bed.twin.power.state(n)).toBe('off');
    await world.reachabilitySettled();
    expect(world.bed.apiServerRunning).toBe(false);
    // etcdctl went through kube-apiserver's exec path; the bundle came through the front.
    expect(world.execs.some((c) => /^kube-system\/etcd-\S+: .*\betcdctl endpoint status\b/.test(c))).toBe(true);
    expect(bed.twin.events.all().some((e) => e.type === 'bundle.downloaded')).toBe(true);

    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    for (const f of [Facts.network, Facts.vms, Facts.rancher, Facts.addons, Facts.etcd]) expect(facts.has(f.key)).toBe(true);
    const findings = auditShutdown({ events: bed.twin.events, ...roles(bed), since: shutdownStart, ...(initialLeader ? { initialLeader } : {}) });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    console.log(`[full-cycle ${scenarioPath} as ${user}] shutdown: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
  });

  it('restarts, the apiserver comes back, and verification finds zero differences', { timeout: 900_000, retry: 0 }, async () => {
    expect(shutdownRun).not.toBe('');
    const started = Date.now();
    const restartStart = bed.twin.clock.now();
    const r = await bed.restart(shutdownRun, { options: { waveSize: 2 } });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    await world.reachabilitySettled();
    expect(world.bed.apiServerRunning).toBe(true);
    expect(world.outages.map((o) => o.state)).toContain('up');

    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    const verification = facts.get('verification') as { summary: { errors: number } } | undefined;
    expect(verification?.summary.errors).toBe(0);
    const shutdownFacts = replay(readJournal(join(bed.stateDir, bed.identity.uid, shutdownRun, 'journal.jsonl')).records).facts;
    const leader = (shutdownFacts.get(Facts.etcd.key) as { leader: string }).leader;
    const notBack = bed.events.filter((e) => e.type === 'warning' && /did not bring back|not running yet/.test(e.message));
    expect(notBack).toEqual([]);
    const findings = auditRestart({ events: bed.twin.events, ...roles(bed), since: restartStart, leader, waveSize: 2 });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    console.log(`[full-cycle ${scenarioPath} as ${user}] restart + verify: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
  });
});

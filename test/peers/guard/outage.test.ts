// Issue 11's "done when", end to end: `fallow guard run` against a real upsd (dummy-ups
// played by the test) guarding a twin cluster with its SSH daemons and Redfish BMCs. The
// shutdown and restart are the real runbooks; what happened is checked in the twin's own
// event log, on the clock the battery runs down on (see guard-bed.ts for the clocks).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/common/errors.js';
import { readJournal } from '../../../src/journal/reader.js';
import { runMain } from '../../cli/run-main.js';
import { pairFor, reportFor } from '../../../src/cli/run/report.js';
import type { GuardRecord } from '../../../src/guard/wiring/guard-journal.js';
import { renderMarkdown } from '../../../src/report/index.js';
import { auditShutdown } from '../../../src/twin/audit.js';
import type { Twin } from '../../../src/twin/runtime.js';
import { startGuardBed, secretFree, type GuardBed } from './guard-bed.js';
import { freePort, startUpsd, waitFor, type Upsd } from './upsd.js';

// 1 wall second = 100 modelled seconds: a ~17 min shutdown takes ~10 s.
const SCALE = 100;
const WALL = 180_000;

let upsd: Upsd;
let bed: GuardBed | undefined;

beforeAll(async () => {
  upsd = await startUpsd();
});
afterAll(async () => {
  await upsd?.close();
});
afterEach(async () => {
  await bed?.close();
  bed = undefined;
  await upsd.resetUps();
});

const roles = (twin: Twin) => ({
  workers: twin.scenario.nodes.filter((n) => n.role === 'worker').map((n) => n.name),
  etcdNodes: twin.scenario.nodes.filter((n) => n.role !== 'worker').map((n) => n.name),
  downstreamVms: twin.scenario.vms.filter((v) => v.guestCluster).map((v) => `${v.namespace ?? 'default'}/${v.name}`),
});

const nodesOffAt = (twin: Twin) => twin.events.all().filter((e) => e.type === 'node.power' && e.detail === 'off').map((e) => e.t);
const allOff = (twin: Twin) => twin.power.nodes().every((n) => twin.power.state(n) === 'off');
const allOn = (twin: Twin) => twin.power.nodes().every((n) => twin.power.state(n) === 'on');
const ofType = <T extends GuardRecord['type']>(rs: GuardRecord[], type: T) => rs.filter((r): r is Extract<GuardRecord, { type: T }> => r.type === type);
const actions = (rs: GuardRecord[]) => ofType(rs, 'guard.action').map((r) => `${r.action} ${r.outcome}`);

function report(b: GuardBed) {
  return reportFor(pairFor(b.stateDir, b.twin.clusterUid));
}

describe('guard run: outages on a twin cluster with a real upsd', () => {
  it('enough battery: shuts down before the battery ends, restarts when power is back, zero differences', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE });
    const b = bed;
    const guard = b.start(b.writeConfig());
    await waitFor('guard armed with an estimate', () => ofType(b.records(), 'guard.inventory').length > 0 && ofType(b.records(), 'guard.ups').length > 0, WALL);
    const fullPlanMs = ofType(b.records(), 'guard.inventory')[0]!.fullPlanMs;
    const initialLeader = b.twin.etcd.leader()?.node;

    // Enough for the full plan plus the 300 s margin, with 400 s to spare: the guard waits,
    // then shuts down when the runtime left no longer covers the full plan.
    const runtimeS = Math.round(fullPlanMs / 1000) + 300 + 400;
    await b.battery.discharge(runtimeS);
    await waitFor('the shutdown to start', () => actions(b.records()).includes('shutdown started'), WALL);
    const trigger = ofType(b.records(), 'guard.decision').find((d) => d.decision === 'trigger-shutdown');
    expect(trigger?.at ?? 0).toBeGreaterThan(b.battery.outageAt + 200_000);
    await waitFor('the cluster down', () => actions(b.records()).includes('shutdown finished'), WALL);
    expect(allOff(b.twin)).toBe(true);
    const lastOff = Math.max(...nodesOffAt(b.twin));
    expect(lastOff).toBeLessThan(b.battery.emptyAt);
    const down = b.twin.clock.now();
    expect(auditShutdown({ events: b.twin.events, ...roles(b.twin), since: b.battery.outageAt, until: down, ...(initialLeader ? { initialLeader } : {}) }).filter((f) => !f.ok)).toEqual([]);

    await b.battery.online(90);
    await waitFor('the restart to finish', () => actions(b.records()).some((a) => a.startsWith('restart ') && a !== 'restart started'), WALL);
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown finished', 'restart started', 'restart finished']);
    expect(allOn(b.twin)).toBe(true);
    expect(await guard.stop()).toEqual({ phase: 'armed' });

    const r = report(b);
    expect(r.result).toMatchObject({ verdict: 'verified', line: 'Verification: 0 differences' });
    const o = r.outage!;
    expect(o).toBeDefined();
    expect(Date.parse(o.onBatteryAt!)).toBeGreaterThanOrEqual(b.battery.outageAt);
    expect(o.plan).toMatchObject({ fits: true, skipped: [] });
    expect(o.marginMs).toBeGreaterThan(0);
    expect(Date.parse(o.clusterDownAt!)).toBeLessThan(Date.parse(o.batteryEmptyAt!));
    expect(o.restartedAt).not.toBeNull();
    const md = renderMarkdown(r);
    expect(md).toContain('## Power outage');
    expect(md).toMatch(/of battery left/);
    expect(secretFree(JSON.stringify(b.records()) + guard.stdout() + guard.stderr())).toBe(true);
  });

  it('too little battery: the reduced plan, nodes off in etcd order before the battery ends, what was skipped reported', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE });
    const b = bed;
    const guard = b.start(b.writeConfig({ policy: { safetyMarginSeconds: 200 } }));
    await waitFor('guard armed', () => ofType(b.records(), 'guard.ups').length > 0, WALL);
    const fullPlanMs = ofType(b.records(), 'guard.inventory')[0]!.fullPlanMs;
    const initialLeader = b.twin.etcd.leader()?.node;
    // The full plan cannot fit: the guard must shut down at once, with less.
    const runtimeS = 1100;
    expect(fullPlanMs).toBeGreaterThan((runtimeS - 200) * 1000);
    await b.battery.discharge(runtimeS);
    await waitFor('the cluster down', () => actions(b.records()).includes('shutdown finished'), WALL);
    const trigger = ofType(b.records(), 'guard.decision').find((d) => d.decision === 'trigger-shutdown');
    expect(trigger?.plan.fits).toBe(true);
    expect(trigger?.plan.skipped.map((s) => s.id)).toContain('shutdown.support-bundle');
    expect(allOff(b.twin)).toBe(true);
    expect(Math.max(...nodesOffAt(b.twin))).toBeLessThan(b.battery.emptyAt);
    const findings = auditShutdown({ events: b.twin.events, ...roles(b.twin), since: b.battery.outageAt, ...(initialLeader ? { initialLeader } : {}) });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    expect(findings.map((f) => f.rule)).toContain('the etcd leader went down last');
    expect(await guard.stop()).toEqual({ phase: 'down' });

    const down = report(b);
    expect(down.result.verdict).toBe('shut-down');
    expect(down.outage?.plan?.skipped.map((s) => s.id)).toContain('shutdown.support-bundle');
    expect(down.outage?.marginMs).toBeGreaterThan(0);
    expect(down.runs[0]?.steps.find((s) => s.id === 'shutdown.support-bundle')?.outcome).toBe('skipped');
    const md = renderMarkdown(down);
    expect(md).toMatch(/Skipped steps \| shutdown\.support-bundle/);
    expect(md).toMatch(/skip shutdown\.support-bundle/);

    // The guard service restarts while the cluster is down: it finds the cluster and its
    // estimate in the journals, knows the cluster is down, and restarts it when power holds.
    const again = b.start(b.writeConfig({ policy: { safetyMarginSeconds: 200 } }));
    await waitFor('the second guard armed', () => ofType(b.records(), 'guard.start').length === 2, WALL);
    expect(ofType(b.records(), 'guard.start')[1]?.phase).toBe('down');
    expect(ofType(b.records(), 'guard.inventory').at(-1)).toMatchObject({ source: 'journal', nodes: 4, learnedRuns: 1 });
    expect(again.stderr()).toMatch(/does not answer .*guarding cluster/);
    await b.battery.online(90);
    await waitFor('the restart to finish', () => actions(b.records()).some((a) => a.startsWith('restart ') && a !== 'restart started'), WALL);
    expect(await again.stop()).toEqual({ phase: 'armed' });
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown finished', 'restart started', 'restart finished']);
    const r = report(b);
    expect(r.result).toMatchObject({ verdict: 'verified', line: 'Verification: 0 differences' });
    expect(r.outage?.restartedAt).not.toBeNull();
  });

  it('power back mid-shutdown: the shutdown stops between steps, the restart restores what it recorded', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE });
    const b = bed;
    const guard = b.start(b.writeConfig());
    await waitFor('guard armed', () => ofType(b.records(), 'guard.ups').length > 0, WALL);
    // Low battery from the start: shut down at once.
    await b.battery.discharge(1500, { lowS: 1500 });
    await waitFor('the guest shutdowns to begin', () => stepStarted(b, 'shutdown.stop-traditional-vms'), WALL);
    await b.battery.online(90);
    await waitFor('the restart to finish', () => actions(b.records()).some((a) => a.startsWith('restart ') && a !== 'restart started'), WALL);
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown finished', 'restart started', 'restart finished']);
    const stopped = ofType(b.records(), 'guard.stopped')[0];
    expect(stopped?.afterStep).toMatch(/^shutdown\./);
    expect(ofType(b.records(), 'guard.decision').map((d) => d.decision).filter((d) => d !== 'wait')).toEqual(['trigger-shutdown', 'stop-shutdown-at-consistent-point', 'trigger-restart']);
    // No node went down: the shutdown never got that far.
    expect(nodesOffAt(b.twin)).toEqual([]);
    expect(await guard.stop()).toEqual({ phase: 'armed' });

    const pair = pairFor(b.stateDir, b.twin.clusterUid);
    // The stopped shutdown is given up (never offered to `fallow resume`), its restart is complete.
    expect(pair.shutdown.state).toBe('aborted');
    expect(pair.restart?.state).toBe('completed');
    const r = reportFor(pair);
    expect(r.result).toMatchObject({ verdict: 'verified', line: 'Verification: 0 differences' });
    expect(r.outage).toMatchObject({ shutdownStopped: true, stoppedAfterStep: stopped?.afterStep });
    expect(r.result.headline).toMatch(/Power came back during the shutdown/);
    const skipped = r.runs[1]?.steps.filter((s) => s.outcome === 'skipped').map((s) => s.id);
    expect(skipped).toEqual(expect.arrayContaining(['restart.power-on-leader', 'restart.power-on-etcd-members']));
  });

  it('no BMCs: the nodes go down over SSH, and at restart the guard asks a person to switch each one on, leader first', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE, bmc: 'none' });
    const b = bed;
    const guard = b.start(b.writeConfig());
    await waitFor('guard armed', () => ofType(b.records(), 'guard.ups').length > 0, WALL);
    await b.battery.discharge(1500, { lowS: 1500 });
    await waitFor('the cluster down', () => actions(b.records()).includes('shutdown finished'), WALL);
    expect(allOff(b.twin)).toBe(true);
    await b.battery.online(90);
    // The operator reads the log (here: the guard journal) and presses the power buttons.
    const pressed: string[] = [];
    await waitFor('the restart to finish', () => {
      for (const m of ofType(b.records(), 'guard.operator')) {
        const node = /ACTION NEEDED: switch ON node (\S+?),/.exec(m.message)?.[1];
        if (node && !pressed.includes(node)) {
          pressed.push(node);
          b.twin.power.powerOn(node);
        }
      }
      return actions(b.records()).some((a) => a.startsWith('restart ') && a !== 'restart started');
    }, WALL);
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown finished', 'restart started', 'restart finished']);
    expect(await guard.stop()).toEqual({ phase: 'armed' });
    const r = report(b);
    expect(r.result.verdict).toBe('verified');
    const leader = (r.facts['etcd'] as { leader: string }).leader;
    expect(pressed[0]).toBe(leader);
    expect([...pressed].sort()).toEqual(b.twin.power.nodes().sort());
    expect(guard.stderr()).toMatch(/ACTION NEEDED: switch ON node/);
  });

  it('a flapping UPS: a short return of power neither ends the outage nor stops a shutdown; a guard stopped mid-shutdown resumes it', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE });
    const b = bed;
    const guard = b.start(b.writeConfig({ policy: { safetyMarginSeconds: 300, maxOnBatterySeconds: 1000, flapToleranceSeconds: 600, restart: { minChargePercent: 50, stableSeconds: 120 } } }));
    await waitFor('guard armed', () => ofType(b.records(), 'guard.ups').length > 0, WALL);
    await b.battery.discharge(3600);
    await waitFor('on battery seen', () => transitions(b).includes('on-battery'), WALL);
    const onBattery = ofType(b.records(), 'guard.ups').find((r) => r.event === 'transition' && r.to === 'on-battery')!.at;
    await new Promise((r) => setTimeout(r, 2000));
    await b.battery.online(40); // a flap shorter than flapToleranceSeconds
    await waitFor('the flap seen', () => transitions(b).filter((t) => t === 'online').length === 2, WALL);
    await new Promise((r) => setTimeout(r, 1500));
    await b.battery.resume();
    await waitFor('the shutdown to start', () => actions(b.records()).includes('shutdown started'), WALL);
    const trigger = ofType(b.records(), 'guard.decision').find((d) => d.decision === 'trigger-shutdown')!;
    // 1000 s on battery counted from the first OB, through the flap (reset, it would be ~500 s later).
    expect(trigger.reason).toMatch(/on battery for \d+ s, limit 1000 s/);
    expect(trigger.at - onBattery).toBeGreaterThanOrEqual(1_000_000);
    expect(trigger.at - onBattery).toBeLessThan(1_300_000);
    // Power flaps during the shutdown with a low charge: the shutdown goes on.
    await b.battery.online(30);
    await new Promise((r) => setTimeout(r, 1500));
    await b.battery.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(ofType(b.records(), 'guard.decision').some((d) => d.decision === 'stop-shutdown-at-consistent-point')).toBe(false);

    // The service is stopped mid-shutdown: the run stops resumably and the guard wants an operator…
    expect(await guard.stop()).toEqual({ phase: 'needs-operator' });
    const first = ofType(b.records(), 'guard.run')[0]!;
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown failed']);
    expect(readJournal(join(first.runDir, 'journal.jsonl')).records.at(-1)).toMatchObject({ type: 'run-end', state: 'stopped', reason: 'interrupted' });
    // …and the guard started again resumes that very run on the next trigger, never a second one.
    const again = b.start(b.writeConfig());
    await waitFor('the second guard armed', () => ofType(b.records(), 'guard.start').length === 2, WALL);
    await b.battery.discharge(900, { lowS: 900 });
    await waitFor('the cluster down', () => actions(b.records()).includes('shutdown finished'), WALL);
    expect(allOff(b.twin)).toBe(true);
    expect(await again.stop()).toEqual({ phase: 'down' });
    expect(ofType(b.records(), 'guard.run').map((r) => [r.runId, r.resumed])).toEqual([
      [first.runId, false],
      [first.runId, true],
    ]);
    expect(actions(b.records())).toEqual(['shutdown started', 'shutdown failed', 'shutdown started', 'shutdown finished']);
  });

  it('upsd unreachable: an alarm and no action; wrong credentials or no upsd at start: a clear error, nothing touched', async () => {
    bed = await startGuardBed(upsd, { scale: SCALE });
    const b = bed;
    const env = { FALLOW_CLOCK: b.twin.clock.toEnv(), HOME: b.dir };
    const args = (cfg: string) => ['guard', 'run', '--config', cfg, '--kubeconfig', b.twin.kubeconfigPath, '--state-dir', b.stateDir];

    const wrongPw = join(b.dir, 'wrong-password');
    writeFileSync(wrongPw, 'not-the-password\n', { mode: 0o600 });
    const bad = await runMain(args(b.writeConfig({ passwordFile: wrongPw })), env);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toMatch(/refused the user name or password for ups1@127\.0\.0\.1:\d+.*upsd\.users/);
    expect(bad.stderr).not.toContain('not-the-password');
    const port = await freePort();
    const gone = await runMain(args(b.writeConfig({ ups: `ups1@127.0.0.1:${port}` })), env);
    expect(gone.code).toBe(ExitCode.unreachable);
    expect(gone.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
    expect(b.records()).toEqual([]);

    const guard = b.start(b.writeConfig());
    await waitFor('guard armed', () => ofType(b.records(), 'guard.ups').length > 0, WALL);
    await upsd.stopUpsd();
    try {
      await waitFor('the alarm', () => ofType(b.records(), 'guard.decision').some((d) => d.decision === 'alarm'), WALL);
      // The mains fail while the guard cannot see it: no data, no action.
      await b.battery.discharge(100, { lowS: 100 });
      await new Promise((r) => setTimeout(r, 3000));
      expect(actions(b.records())).toEqual([]);
      expect(allOn(b.twin)).toBe(true);
      await b.battery.online(100);
    } finally {
      await upsd.startUpsd();
    }
    await waitFor('contact restored', () => ofType(b.records(), 'guard.ups').some((r) => r.event === 'comm-restored'), WALL);
    expect(await guard.stop()).toEqual({ phase: 'armed' });
    expect(actions(b.records())).toEqual([]);
    const alarm = ofType(b.records(), 'guard.decision').find((d) => d.decision === 'alarm');
    expect(alarm).toMatchObject({ message: expect.stringMatching(/Lost contact with the UPS/) });
  });
});

function stepStarted(b: GuardBed, step: string): boolean {
  const run = ofType(b.records(), 'guard.run').find((r) => r.action === 'shutdown');
  if (!run) return false;
  try {
    return readJournal(join(run.runDir, 'journal.jsonl')).records.some((r) => r.type === 'step-start' && r.step === step);
  } catch {
    return false;
  }
}

function transitions(b: GuardBed): string[] {
  return ofType(b.records(), 'guard.ups').flatMap((r) => (r.event === 'transition' ? [r.to] : []));
}

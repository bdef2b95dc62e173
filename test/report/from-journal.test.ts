// The converter against journals written by the real Journal writer and read back by the
// real reader, so a change of the journal's format shows up here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/common/clock.js';
import { Journal } from '../../src/journal/journal.js';
import { readJournal } from '../../src/journal/reader.js';
import { factsFromJournal, timelineFromJournal } from '../../src/report/from-journal.js';

let dir: string;
let now = Date.parse('2025-01-10T08:00:00Z');
const clock: Clock = { now: () => now, sleep: async () => {}, scale: 1 };
const at = (sec: number) => (now = Date.parse('2025-01-10T08:00:00Z') + sec * 1000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-report-journal-'));
  at(0);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const planned = [
  { id: 'shutdown.support-bundle', title: 'Generate a support bundle', phase: 'precondition', destructive: false },
  { id: 'shutdown.stop-traditional-vms', title: 'Stop traditional VMs', phase: 'workloads', destructive: true },
  { id: 'shutdown.backup-vms', title: 'Back up VMs', phase: 'backup', destructive: false },
  { id: 'shutdown.workers', title: 'Shut down the worker nodes', phase: 'nodes', destructive: true },
];
const runbookSteps = [
  { id: 'shutdown.support-bundle', seed: '1.1' },
  { id: 'shutdown.stop-traditional-vms', seed: '3.1', title: 'Stop traditional VMs (ACPI)' },
  { id: 'shutdown.backup-vms', seed: '2' },
  { id: 'shutdown.workers', seed: '4.1' },
];

function newJournal(): Journal {
  return Journal.create({ runDir: dir, clock }, {
    type: 'run-start', runId: 'r1', runbook: 'shutdown', cluster: { uid: 'ks-uid', server: 'https://127.0.0.1:6443' },
    options: {}, version: '0.1.0', steps: planned, pid: 1, host: 'ops',
  });
}

describe('timelineFromJournal', () => {
  it('a completed run: times, outcomes, waits, details, seeds, facts', () => {
    const j = newJournal();
    at(1); j.append({ type: 'step-start', step: 'shutdown.support-bundle' });
    j.append({ type: 'step-done', step: 'shutdown.support-bundle', alreadyDone: true, detail: 'bundle sb-1 exists' });
    at(2); j.append({ type: 'step-start', step: 'shutdown.stop-traditional-vms' });
    j.append({ type: 'fact', key: 'vms.running', value: ['default/web'], step: 'shutdown.stop-traditional-vms' });
    j.append({ type: 'confirm', step: 'shutdown.stop-traditional-vms', question: 'Stop 1 VM?', answer: true, by: 'flag' });
    j.append({ type: 'intent', step: 'shutdown.stop-traditional-vms', attempt: 1, what: ['stop default/web'] });
    at(3); j.append({ type: 'outcome', step: 'shutdown.stop-traditional-vms', attempt: 1, ok: true });
    j.append({ type: 'wait-start', step: 'shutdown.stop-traditional-vms', name: 'VMIs gone', startedAt: now, timeoutMs: 600_000, deadline: now + 600_000 });
    at(190); j.append({ type: 'wait-end', step: 'shutdown.stop-traditional-vms', name: 'VMIs gone', ok: true, detail: '1 VM' });
    j.append({ type: 'step-done', step: 'shutdown.stop-traditional-vms', alreadyDone: false, detail: 'stopped 1 VM' });
    at(191); j.append({ type: 'step-skipped', step: 'shutdown.backup-vms', reason: 'not requested' });
    j.append({ type: 'warning', message: 'node harv2 has no BMC; power it off by hand' });
    at(200); j.append({ type: 'step-start', step: 'shutdown.workers' });
    at(260); j.append({ type: 'step-done', step: 'shutdown.workers', alreadyDone: false });
    j.append({ type: 'fact', key: 'vms.running', value: ['default/web', 'default/db'] });
    j.append({ type: 'run-end', state: 'completed', exitCode: 0 });
    j.close();
    const { records } = readJournal(j.file);
    const t = timelineFromJournal(records, runbookSteps);
    expect(t).toMatchObject({ runId: 'r1', runbook: 'shutdown', startedAt: '2025-01-10T08:00:00.000Z', endedAt: '2025-01-10T08:04:20.000Z', status: 'succeeded' });
    expect(t.steps).toEqual([
      { id: 'shutdown.support-bundle', title: 'Generate a support bundle', seed: '1.1', startedAt: '2025-01-10T08:00:01.000Z', endedAt: '2025-01-10T08:00:01.000Z', outcome: 'already-done', detail: 'bundle sb-1 exists' },
      { id: 'shutdown.stop-traditional-vms', title: 'Stop traditional VMs (ACPI)', seed: '3.1', startedAt: '2025-01-10T08:00:02.000Z', endedAt: '2025-01-10T08:03:10.000Z', outcome: 'done', waitedFor: 'VMIs gone (1 VM)', detail: 'stopped 1 VM' },
      { id: 'shutdown.backup-vms', title: 'Back up VMs', seed: '2', startedAt: '2025-01-10T08:03:11.000Z', endedAt: '2025-01-10T08:03:11.000Z', outcome: 'skipped', detail: 'not requested' },
      { id: 'shutdown.workers', title: 'Shut down the worker nodes', seed: '4.1', startedAt: '2025-01-10T08:03:20.000Z', endedAt: '2025-01-10T08:04:20.000Z', outcome: 'done' },
    ]);
    expect(t.events?.map((e) => `${e.level}: ${e.message}`)).toEqual(['info: Stop 1 VM? yes (flag)', 'warning: node harv2 has no BMC; power it off by hand']);
    expect(factsFromJournal(records)).toEqual({ 'vms.running': ['default/web', 'default/db'] });
  });

  it('a run stopped while waiting, then resumed and failed', () => {
    const j = newJournal();
    at(1); j.append({ type: 'step-start', step: 'shutdown.support-bundle' });
    j.append({ type: 'intent', step: 'shutdown.support-bundle', attempt: 1, what: ['create bundle'] });
    at(2); j.append({ type: 'outcome', step: 'shutdown.support-bundle', attempt: 1, ok: false, message: 'API 503', transient: true });
    j.append({ type: 'intent', step: 'shutdown.support-bundle', attempt: 2, what: ['create bundle'] });
    j.append({ type: 'outcome', step: 'shutdown.support-bundle', attempt: 2, ok: true });
    j.append({ type: 'wait-start', step: 'shutdown.support-bundle', name: 'bundle ready', startedAt: now, timeoutMs: 1000, deadline: now + 1000 });
    at(5); j.append({ type: 'run-end', state: 'stopped', reason: 'interrupted', message: 'Interrupted', exitCode: 130, step: 'shutdown.support-bundle' });
    const stopped = timelineFromJournal(readJournal(j.file).records, runbookSteps);
    expect(stopped.status).toBe('stopped');
    expect(stopped.steps[0]).toMatchObject({ outcome: 'stopped', waitedFor: 'bundle ready (still waiting)', endedAt: null });
    expect(stopped.steps[0]?.detail).toBeUndefined();
    expect(stopped.steps.slice(1).map((s) => s.outcome)).toEqual(['pending', 'pending', 'pending']);

    at(60); j.append({ type: 'resume', pid: 2, host: 'ops', version: '0.1.0', options: {} });
    at(70); j.append({ type: 'wait-end', step: 'shutdown.support-bundle', name: 'bundle ready', ok: false, detail: 'state error' });
    j.append({ type: 'outcome', step: 'shutdown.support-bundle', attempt: 2, ok: false, message: 'support bundle failed: state error' });
    j.append({ type: 'run-end', state: 'stopped', reason: 'failed', message: 'support bundle failed', exitCode: 1, step: 'shutdown.support-bundle' });
    j.close();
    const failed = timelineFromJournal(readJournal(j.file).records);
    expect(failed).toMatchObject({ status: 'failed', endedAt: '2025-01-10T08:01:10.000Z' });
    expect(failed.steps[0]).toMatchObject({
      seed: '—', outcome: 'failed', waitedFor: 'bundle ready (not met: state error)', detail: 'support bundle failed: state error', endedAt: '2025-01-10T08:01:10.000Z',
    });
    expect(failed.events?.map((e) => e.level)).toEqual(['warning', 'warning', 'info', 'error', 'error']);
  });

  it('a running run has no end', () => {
    const j = newJournal();
    at(1); j.append({ type: 'step-start', step: 'shutdown.support-bundle' });
    j.close();
    const t = timelineFromJournal(readJournal(j.file).records);
    expect(t).toMatchObject({ status: 'running', endedAt: null });
    expect(t.steps[0]?.outcome).toBe('stopped');
  });

  it('refuses a list that is not a journal', () => {
    expect(() => timelineFromJournal([])).toThrow(/run-start/);
  });
});

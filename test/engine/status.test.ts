import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runStatus } from '../../src/engine/status.js';
import { abandonRun } from '../../src/engine/abandon.js';
import { createRun } from '../../src/journal/run.js';
import { plannedSteps } from '../../src/engine/run.js';
import { testRunbook } from './fixtures/test-runbook.js';
import { Harness, identity } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';
import { VirtualClock } from './helpers/virtual-clock.js';

const tmp = tempDirs();

describe('runStatus', () => {
  it('summarises a stopped run: steps, facts, why it stopped', async () => {
    const h = new Harness(tmp());
    const result = await h.run({ yes: true, until: 'append-once' });
    const s = runStatus(result.runDir ?? '');
    expect(s).toMatchObject({ runId: result.runId, runbook: 'test', cluster: identity, state: 'stopped', sessions: 1, facts: { value: 7 }, options: null });
    expect(s.end).toMatchObject({ reason: 'partial', exitCode: 0 });
    expect(s.steps.map((x) => [x.id, x.status])).toEqual([
      ['save-and-zero', 'done'],
      ['append-once', 'done'],
      ['skipped', 'pending'],
      ['disabled', 'pending'],
      ['start-job', 'pending'],
      ['restore', 'pending'],
    ]);
    expect(s.counts).toEqual({ pending: 4, 'in-flight': 0, failed: 0, done: 2, skipped: 0 });
  });

  it('shows a failed step with its last error, and the last warning', async () => {
    const h = new Harness(tmp());
    const runbook = testRunbook();
    const step = runbook.steps[1];
    if (!step) throw new Error('no step');
    step.act = async (ctx) => {
      await ctx.warn('the log is getting long');
      throw new Error('disk full');
    };
    const result = await h.run({ yes: true }, runbook);
    const s = runStatus(result.runDir ?? '');
    expect(s.steps[1]).toMatchObject({ id: 'append-once', status: 'failed', attempts: 1, detail: 'disk full' });
    expect(s.lastWarning).toMatchObject({ message: 'the log is getting long', step: 'append-once' });
    expect(s.end).toMatchObject({ reason: 'failed', step: 'append-once' });
  });

  it('tells a run still held by a live process from one cut off by a crash', () => {
    const clock = new VirtualClock();
    const run = createRun({ stateDir: tmp(), identity, clock, runbook: 'test', steps: plannedSteps(testRunbook()), options: null });
    run.journal.append({ type: 'step-start', step: 'save-and-zero' });
    run.journal.append({ type: 'wait-start', step: 'save-and-zero', name: 'w', startedAt: 1, timeoutMs: 10, deadline: 11 });
    expect(runStatus(run.runDir)).toMatchObject({ state: 'running', counts: { 'in-flight': 1 } });
    expect(runStatus(run.runDir).steps[0]?.waits).toEqual([{ name: 'w', startedAt: 1, deadline: 11 }]);
    const lock = join(dirname(run.runDir), 'lock');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace(`"pid":${process.pid}`, `"pid":${2 ** 22 + 5}`));
    expect(runStatus(run.runDir).state).toBe('interrupted');
  });

  it('shows an abandoned run as aborted', async () => {
    const h = new Harness(tmp());
    const result = await h.run({});
    abandonRun({ runDir: result.runDir ?? '', identity, clock: h.clock, reason: 'site visit cancelled' });
    expect(runStatus(result.runDir ?? '')).toMatchObject({ state: 'aborted', end: { message: 'Abandoned: site visit cancelled' } });
    await expect(h.resume(result.runDir ?? '')).rejects.toThrow(/already aborted: there is nothing to resume/);
  });
});

describe('runStatus of a path that is no run', () => {
  it('says so, naming the path', () => {
    const dir = tmp();
    expect(() => runStatus(dir)).toThrow(new RegExp(`No journal at ${dir}/journal.jsonl: not a fallow run directory`));
  });
});

import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/engine/types.js';
import { testRunbook, type TestEnv } from './fixtures/test-runbook.js';
import { change, readWorld } from './fixtures/world.js';
import { Harness, journalOf, recordsOf } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();

describe('engine: stopping and resuming', () => {
  it('lets the current act finish on a stop request, then stops before anything else', async () => {
    const stop = new AbortController();
    const h = new Harness(tmp(), (point) => {
      if (point === 'act:append-once:before') stop.abort();
    });
    const result = await h.run({ yes: true, signal: stop.signal });
    expect(result).toMatchObject({ state: 'stopped', reason: 'interrupted', exitCode: 130 });
    expect(result.message).toBe('Stopped on request in step append-once (Append to the log). Run `fallow resume` to go on');
    expect(readWorld(h.env.world).log).toEqual(['appended']);
    const records = journalOf(result.runDir);
    expect(recordsOf(records, 'outcome').at(-1)).toMatchObject({ step: 'append-once', ok: true });
    expect(recordsOf(records, 'step-start').map((r) => r.step)).toEqual(['save-and-zero', 'append-once']);
    expect(records.at(-1)).toMatchObject({ type: 'run-end', state: 'stopped', reason: 'interrupted', step: 'append-once' });

    const resumed = await h.resume(result.runDir ?? '');
    expect(resumed.state).toBe('completed');
    expect(readWorld(h.env.world).applied['append-once']).toBe(1);
    expect(recordsOf(journalOf(result.runDir), 'step-done').find((r) => r.step === 'append-once')).toMatchObject({ alreadyDone: true });
  });

  it('re-checks an act that failed after taking effect instead of repeating it', async () => {
    const h = new Harness(tmp());
    const runbook = testRunbook();
    const step = runbook.steps[1] as Step<TestEnv>;
    const act = step.act;
    step.act = async (ctx) => {
      await act(ctx);
      throw new Error('lost the answer after the change was made');
    };
    const first = await h.run({ yes: true }, runbook);
    expect(first).toMatchObject({ state: 'stopped', reason: 'failed' });
    expect(first.message).toBe('Failed in step append-once (Append to the log): lost the answer after the change was made. Fix the cause, then run `fallow resume`');
    step.act = act;
    const second = await h.resume(first.runDir ?? '', { yes: true }, runbook);
    expect(second.state).toBe('completed');
    expect(readWorld(h.env.world).applied['append-once']).toBe(1);
  });

  it('keeps the first recorded observation once the act has run, so the restore uses it', async () => {
    const h = new Harness(tmp());
    const runbook = testRunbook();
    const step = runbook.steps[0] as Step<TestEnv>;
    const act = step.act;
    step.act = async (ctx) => {
      change(ctx.env.world, 'save-and-zero', (w) => void (w.value = 0)); // destroyed…
      throw new Error('crashed half-way'); // …before the step finished
    };
    const first = await h.run({ yes: true }, runbook);
    expect(first.reason).toBe('failed');
    step.act = act;
    const second = await h.resume(first.runDir ?? '', { yes: true }, runbook);
    expect(second.state).toBe('completed');
    expect(recordsOf(journalOf(first.runDir), 'fact').map((r) => r.value)).toEqual([7]);
    expect(readWorld(h.env.world).restored).toBe(7);
  });

  it('asks for confirmation only once per step, even across a resume', async () => {
    const h = new Harness(tmp());
    const runbook = testRunbook();
    const step = runbook.steps[0] as Step<TestEnv>;
    const act = step.act;
    step.act = async () => {
      throw new Error('first try fails');
    };
    let asked = 0;
    const prompt = async () => (asked++, true);
    const first = await h.run({ interactive: true, prompt }, runbook);
    expect(first.reason).toBe('failed');
    step.act = act;
    await h.resume(first.runDir ?? '', { interactive: true, prompt }, runbook);
    expect(asked).toBe(1);
  });

  it('lets a restart read the facts of the run it continues', async () => {
    const h = new Harness(tmp());
    const shutdown = await h.run({ yes: true, until: 'save-and-zero' });
    const restartBook = { name: 'test', steps: testRunbook().steps.filter((s) => s.id === 'restore') };
    const restart = await h.run({ yes: true }, restartBook, { parentRunId: shutdown.runId });
    expect(restart.state).toBe('completed');
    expect(readWorld(h.env.world).restored).toBe(7);
    expect(journalOf(restart.runDir)[0]).toMatchObject({ type: 'run-start', parentRunId: shutdown.runId });
    await expect(h.run({ yes: true }, restartBook, { parentRunId: 'no-such-run' })).rejects.toThrow(/has no journal/);
  });
});

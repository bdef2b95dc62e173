import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { readWorld } from './fixtures/world.js';
import { testRunbook } from './fixtures/test-runbook.js';
import { Harness, journalOf, recordsOf } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();

describe('engine: a run', () => {
  it('runs every step in order, journaling intent before and outcome after each act', async () => {
    const h = new Harness(tmp());
    const result = await h.run();
    expect(result).toMatchObject({ state: 'completed', exitCode: 0 });
    expect(result.finished).toEqual(['save-and-zero', 'append-once', 'skipped', 'disabled', 'start-job', 'restore']);
    expect(readWorld(h.env.world)).toMatchObject({ value: 0, zeroed: true, log: ['appended', 'restored 7'], restored: 7 });
    const records = journalOf(result.runDir);
    const forStep = (id: string) => records.filter((r) => 'step' in r && r.step === id).map((r) => r.type);
    expect(forStep('save-and-zero')).toEqual(['step-start', 'fact', 'confirm', 'intent', 'outcome', 'step-done']);
    expect(forStep('skipped')).toEqual(['step-start', 'step-skipped']);
    expect(recordsOf(records, 'step-skipped').map((r) => r.reason)).toEqual(['no downstream clusters', 'not enabled for this run']);
    expect(forStep('start-job')).toEqual(['step-start', 'intent', 'outcome', 'wait-start', 'wait-end', 'step-done']);
    expect(records.at(-1)).toMatchObject({ type: 'run-end', state: 'completed', exitCode: 0 });
  });

  it('emits progress events for the display', async () => {
    const h = new Harness(tmp());
    await h.run();
    const types = h.events.filter((e) => 'step' in e && e.step === 'start-job').map((e) => e.type);
    expect(types[0]).toBe('step-start');
    expect(types).toContain('act');
    expect(types.filter((t) => t === 'wait-progress').length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe('step-done');
    const progress = h.eventsOf('wait-progress')[0];
    expect(progress).toMatchObject({ name: 'job ready', detail: 'job-1 not ready', elapsedMs: 0 });
    expect(h.events[0]).toMatchObject({ type: 'run-start', runbook: 'test', resumed: false });
    expect(h.events.at(-1)).toMatchObject({ type: 'run-end', state: 'completed' });
  });

  it('hands makeEnv the run directory', async () => {
    const h = new Harness(tmp());
    let seen = '';
    const result = await h.run({ yes: true }, testRunbook(), {
      env: undefined,
      makeEnv: (run) => {
        seen = run.runDir;
        return h.env;
      },
    });
    expect(seen).toBe(result.runDir);
  });
});

describe('engine: dry run', () => {
  it('changes nothing, writes nothing, and says what each step would do', async () => {
    const h = new Harness(tmp());
    const result = await h.run({ dryRun: true });
    expect(result).toMatchObject({ state: 'dry-run', exitCode: 0 });
    expect(readWorld(h.env.world)).toEqual({ value: 7, zeroed: false, log: [], applied: {} });
    expect(existsSync(h.state)).toBe(false);
    const plans = h.eventsOf('plan');
    expect(plans.find((p) => p.step === 'save-and-zero')).toMatchObject({ destructive: true, lines: ['set value 7 → 0'] });
    expect(plans.map((p) => p.step)).toEqual(['save-and-zero', 'append-once', 'start-job', 'restore']);
    expect(h.eventsOf('step-skip').map((e) => e.reason)).toEqual(['no downstream clusters', 'not enabled for this run']);
    expect(h.eventsOf('act')).toEqual([]);
  });
});

describe('engine: --only and --until', () => {
  it('stops resumably after --until, and a resume does the rest', async () => {
    const h = new Harness(tmp());
    const first = await h.run({ yes: true, until: 'append-once' });
    expect(first).toMatchObject({ state: 'stopped', reason: 'partial', exitCode: 0 });
    expect(first.message).toMatch(/Stopped after step append-once \(--until\); 4 step\(s\) remain: skipped, disabled, start-job, restore/);
    expect(readWorld(h.env.world).log).toEqual(['appended']);
    const second = await h.resume(first.runDir ?? '');
    expect(second.state).toBe('completed');
    expect(readWorld(h.env.world).applied).toMatchObject({ 'append-once': 1, restore: 1 });
    expect(h.eventsOf('step-skip').filter((e) => e.reason === 'done in an earlier session').map((e) => e.step)).toEqual(['save-and-zero', 'append-once']);
  });

  it('runs only the selected steps', async () => {
    const h = new Harness(tmp());
    const result = await h.run({ yes: true, only: ['append-once'] });
    expect(result).toMatchObject({ state: 'stopped', reason: 'partial' });
    expect(readWorld(h.env.world)).toMatchObject({ value: 7, log: ['appended'] });
    expect(recordsOf(journalOf(result.runDir), 'step-start').map((r) => r.step)).toEqual(['append-once']);
  });

  it('refuses unknown step ids before anything is written', async () => {
    const h = new Harness(tmp());
    await expect(h.run({ yes: true, until: 'no-such-step' })).rejects.toThrow(UsageError);
    await expect(h.run({ yes: true, only: ['nope'] })).rejects.toThrow(/Unknown step id\(s\) in the test runbook: nope/);
    expect(existsSync(h.state)).toBe(false);
  });
});

describe('engine: confirmations', () => {
  it('stops with NeedsOperator before a destructive act when nobody can confirm', async () => {
    const h = new Harness(tmp());
    const result = await h.run({});
    expect(result).toMatchObject({ state: 'stopped', reason: 'needs-operator', exitCode: 5 });
    expect(result.message).toMatch(/"Zero the value \(saving it first\)" \(step save-and-zero\) changes the cluster and needs a confirmation.*fallow resume --yes/);
    expect(readWorld(h.env.world).value).toBe(7);
    const records = journalOf(result.runDir);
    expect(recordsOf(records, 'confirm')).toMatchObject([{ step: 'save-and-zero', answer: false, by: 'non-interactive' }]);
    expect(recordsOf(records, 'intent')).toEqual([]);
    expect(h.eventsOf('step-failed')).toMatchObject([{ step: 'save-and-zero', kind: 'NeedsOperatorError', exitCode: 5 }]);
    const resumed = await h.resume(result.runDir ?? '', { yes: true });
    expect(resumed.state).toBe('completed');
  });

  it('asks an interactive operator, showing what the act will do', async () => {
    const h = new Harness(tmp());
    const asked: unknown[] = [];
    const no = await h.run({ interactive: true, prompt: async (req) => (asked.push(req), false) });
    expect(asked).toEqual([{ step: 'save-and-zero', question: 'Zero the value (saving it first)?', details: ['set value 7 → 0'] }]);
    expect(no).toMatchObject({ reason: 'needs-operator', message: expect.stringMatching(/not confirmed, stopped before it/) });
    const yes = await h.resume(no.runDir ?? '', { interactive: true, prompt: async () => true });
    expect(yes.state).toBe('completed');
  });
});

describe('engine: resume', () => {
  it('refuses a journal of another runbook', async () => {
    const h = new Harness(tmp());
    const first = await h.run({ yes: true, until: 'save-and-zero' });
    const other = { ...testRunbook(), steps: testRunbook().steps.slice(1) };
    await expect(h.resume(first.runDir ?? '', { yes: true }, other)).rejects.toThrow(/whose steps differ/);
    expect(readdirSync(first.runDir ?? '')).toEqual(['journal.jsonl']);
  });
});

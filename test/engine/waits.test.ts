import { describe, expect, it } from 'vitest';
import { NeedsOperatorError, TransientError } from '../../src/common/errors.js';
import type { Runbook, StepContext, WaitResult, WaitSpec } from '../../src/engine/types.js';
import { runWait } from '../../src/engine/wait.js';
import type { TestEnv } from './fixtures/test-runbook.js';
import { Harness, journalOf, recordsOf } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';
import { VirtualClock } from './helpers/virtual-clock.js';

const tmp = tempDirs();
const MIN = 60_000;

/** One step with nothing to do and a wait on `spec`. */
function waiting(spec: WaitSpec<TestEnv>): Runbook<TestEnv> {
  return {
    name: 'test',
    steps: [
      {
        id: 'stop-vms',
        title: 'Stop VMs',
        seed: '3.1',
        phase: 'p',
        destructive: false,
        check: async () => ({ done: true }),
        act: async () => {},
        wait: () => spec,
      },
    ],
  };
}

const never = (detail: string, timeoutMs = 10 * MIN): WaitSpec<TestEnv> => ({
  name: 'VMs stopped',
  timeoutMs,
  pollMs: 30_000,
  evaluate: async () => ({ state: 'waiting', detail }),
});

describe('engine: waits', () => {
  it('times out naming the condition and what is still pending', async () => {
    const h = new Harness(tmp());
    const result = await h.run({}, waiting(never('waiting for 2 VMs to stop: default/vm-a, default/vm-b', 2 * MIN)));
    expect(result).toMatchObject({ state: 'stopped', reason: 'needs-operator', exitCode: 5 });
    expect(result.message).toMatch(/^Timed out after 2m waiting for VMs stopped \(step stop-vms\): waiting for 2 VMs to stop: default\/vm-a, default\/vm-b\. .*fallow resume/);
    const records = journalOf(result.runDir);
    const [start] = recordsOf(records, 'wait-start');
    expect(start).toMatchObject({ name: 'VMs stopped', timeoutMs: 2 * MIN, deadline: (start?.startedAt ?? 0) + 2 * MIN });
    expect(recordsOf(records, 'wait-end')).toMatchObject([{ ok: false, detail: expect.stringMatching(/Timed out/) }]);
    expect(h.clock.now() - (start?.startedAt ?? 0)).toBe(2 * MIN);
  });

  it('keeps the stored deadline across a stop and a resume', async () => {
    const h = new Harness(tmp());
    const stop = new AbortController();
    const runbook = waiting(never('vm-a still running'));
    h.events.length = 0;
    const first = await h.run({ signal: stop.signal }, runbook, {
      onEvent: (e) => {
        h.events.push(e);
        if (e.type === 'wait-progress' && e.elapsedMs >= 2 * MIN) stop.abort();
      },
    });
    expect(first).toMatchObject({ state: 'stopped', reason: 'interrupted', exitCode: 130 });
    const [start] = recordsOf(journalOf(first.runDir), 'wait-start');
    expect(recordsOf(journalOf(first.runDir), 'wait-end')).toEqual([]); // still open
    h.clock.advance(5 * MIN); // the laptop was closed for a while
    const resumedAt = h.clock.now();
    const second = await h.resume(first.runDir ?? '', {}, runbook);
    expect(second).toMatchObject({ state: 'stopped', reason: 'needs-operator', message: expect.stringMatching(/^Timed out after 10m/) });
    const records = journalOf(first.runDir);
    expect(recordsOf(records, 'wait-start')).toHaveLength(1);
    const end = records.at(-1);
    expect(end?.t).toBe((start?.deadline ?? 0)); // not resumedAt + 10 min
    expect(end?.t).toBeLessThan(resumedAt + 10 * MIN);
    expect(h.eventsOf('wait-start').map((e) => e.resumed)).toEqual([false, true]);
  });

  it('starts the wait over after it timed out and the operator resumes', async () => {
    const h = new Harness(tmp());
    let done = false;
    const spec: WaitSpec<TestEnv> = { ...never('vm-a'), timeoutMs: MIN, evaluate: async () => (done ? { state: 'done' } : { state: 'waiting', detail: 'vm-a' }) };
    const first = await h.run({}, waiting(spec));
    expect(first.reason).toBe('needs-operator');
    done = true;
    const second = await h.resume(first.runDir ?? '', {}, waiting(spec));
    expect(second.state).toBe('completed');
    expect(recordsOf(journalOf(first.runDir), 'wait-start')).toHaveLength(2);
  });

  it('fails at once when the condition reports failure', async () => {
    const h = new Harness(tmp());
    const spec: WaitSpec<TestEnv> = { ...never(''), evaluate: async () => ({ state: 'failed', reason: 'VM vm-a is in CrashLoopBackOff', hint: 'Look at its virt-launcher pod' }) };
    const result = await h.run({}, waiting(spec));
    expect(result).toMatchObject({ reason: 'failed', message: 'VMs stopped (step stop-vms): VM vm-a is in CrashLoopBackOff. Look at its virt-launcher pod' });
  });
});

describe('runWait', () => {
  const ctx = (clock: VirtualClock, signal: AbortSignal) => ({ clock, signal }) as unknown as StepContext<TestEnv>;

  it('re-evaluates as soon as the subscription wakes it, without waiting for the poll', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    let wake: () => void = () => {};
    let evaluations = 0;
    const spec: WaitSpec<TestEnv> = {
      name: 'ready',
      timeoutMs: 10 * MIN,
      pollMs: 5 * MIN,
      subscribe: async (_ctx, w) => ((wake = w), () => (wake = () => {})),
      evaluate: async (): Promise<WaitResult> => {
        evaluations += 1;
        if (evaluations === 1) setImmediate(() => wake()); // something changed right after
        return evaluations >= 2 ? { state: 'done' } : { state: 'waiting', detail: 'not yet' };
      },
    };
    const signal = new AbortController().signal;
    await runWait({ spec, ctx: ctx(clock, signal), stepId: 's', startedAt: start, deadline: start + spec.timeoutMs, clock, signal });
    expect(evaluations).toBe(2);
    expect(clock.now() - start).toBeLessThan(5 * MIN);
  });

  it('counts a transient error while evaluating as not yet, never as done', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const seen: string[] = [];
    let n = 0;
    const spec: WaitSpec<TestEnv> = {
      name: 'quorum',
      timeoutMs: MIN,
      pollMs: 10_000,
      evaluate: async () => {
        if (++n < 3) throw new TransientError('API unreachable');
        return { state: 'done' };
      },
    };
    const signal = new AbortController().signal;
    await runWait({ spec, ctx: ctx(clock, signal), stepId: 's', startedAt: start, deadline: start + MIN, clock, signal, onProgress: (p) => seen.push(p.detail) });
    expect(seen).toEqual(['cannot tell yet (API unreachable)', 'cannot tell yet (API unreachable)']);
  });

  it('throws a NeedsOperatorError at the deadline', async () => {
    const clock = new VirtualClock();
    const start = clock.now() - 10 * MIN; // started long ago (stored)
    const signal = new AbortController().signal;
    const spec = never('vm-a');
    await expect(runWait({ spec, ctx: ctx(clock, signal), stepId: 's', startedAt: start, deadline: start + spec.timeoutMs, clock, signal })).rejects.toBeInstanceOf(NeedsOperatorError);
    expect(clock.sleeps).toEqual([]); // evaluated once, past the deadline: no sleeping
  });
});

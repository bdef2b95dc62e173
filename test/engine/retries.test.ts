import { describe, expect, it } from 'vitest';
import { FatalError, TransientError } from '../../src/common/errors.js';
import type { Runbook, Step } from '../../src/engine/types.js';
import type { TestEnv } from './fixtures/test-runbook.js';
import { change, readWorld } from './fixtures/world.js';
import { Harness, journalOf, recordsOf } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();

/** A step whose act fails with `errors[i]` on attempt i+1, then applies its effect. */
function flaky(errors: unknown[], opts: Partial<Step<TestEnv>> = {}): Runbook<TestEnv> {
  let calls = 0;
  return {
    name: 'test',
    steps: [
      {
        id: 'flaky',
        title: 'Flaky act',
        seed: 't',
        phase: 'p',
        destructive: false,
        async check(ctx) {
          return { done: readWorld(ctx.env.world).log.includes('flaky') };
        },
        async act(ctx) {
          const err = errors[calls++];
          if (err !== undefined) throw err;
          change(ctx.env.world, 'flaky', (w) => void w.log.push('flaky'));
        },
        ...opts,
      },
    ],
  };
}

const half = () => 0.5;

describe('engine: retries', () => {
  it('retries transient act errors with full-jitter backoff, checking before each new attempt', async () => {
    const h = new Harness(tmp());
    const unavailable = Object.assign(new Error('etcdserver: leader changed'), { statusCode: 503, reason: 'ServiceUnavailable' });
    const result = await h.run({ random: half }, flaky([new TransientError('API hiccup'), unavailable]));
    expect(result.state).toBe('completed');
    expect(readWorld(h.env.world).applied.flaky).toBe(1);
    const records = journalOf(result.runDir);
    expect(recordsOf(records, 'intent').map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(recordsOf(records, 'outcome').map((r) => [r.ok, r.transient])).toEqual([
      [false, true],
      [false, true],
      [true, undefined],
    ]);
    expect(h.clock.sleeps).toEqual([500, 1000]); // 0.5 × min(cap, 1000·2^n)
    expect(h.eventsOf('retry').map((e) => [e.phase, e.attempt, e.delayMs])).toEqual([
      ['act', 1, 500],
      ['act', 2, 1000],
    ]);
  });

  it('does not repeat an act that took effect before failing transiently', async () => {
    const h = new Harness(tmp());
    const runbook = flaky([]);
    const step = runbook.steps[0] as Step<TestEnv>;
    let calls = 0;
    step.act = async (ctx) => {
      calls += 1;
      change(ctx.env.world, 'flaky', (w) => void w.log.push('flaky'));
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    };
    const result = await h.run({ random: half }, runbook);
    expect(result.state).toBe('completed');
    expect(calls).toBe(1);
    expect(recordsOf(journalOf(result.runDir), 'step-done')).toMatchObject([{ alreadyDone: false }]);
  });

  it('never retries a non-transient error', async () => {
    for (const err of [new FatalError('boom'), Object.assign(new Error('forbidden'), { statusCode: 403 }), new Error('bug')]) {
      const h = new Harness(tmp());
      const result = await h.run({ random: half }, flaky([err, err]));
      expect(result).toMatchObject({ state: 'stopped', reason: 'failed', exitCode: 1 });
      expect(recordsOf(journalOf(result.runDir), 'intent')).toHaveLength(1);
      expect(h.clock.sleeps).toEqual([]);
    }
  });

  it('treats connection errors as final when the step takes the API down', async () => {
    const h = new Harness(tmp());
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const result = await h.run({ random: half }, flaky([refused], { apiMayVanish: true }));
    expect(result).toMatchObject({ state: 'stopped', reason: 'failed' });
    expect(recordsOf(journalOf(result.runDir), 'intent')).toHaveLength(1);
  });

  it('gives up after the configured attempts, saying how often it tried', async () => {
    const h = new Harness(tmp());
    const errors = Array.from({ length: 5 }, () => new TransientError('API hiccup'));
    const result = await h.run({ random: half, retry: { maxAttempts: 3 } }, flaky(errors));
    expect(result).toMatchObject({ state: 'stopped', reason: 'failed', exitCode: 4 });
    expect(result.message).toMatch(/^Still failing after 3 attempts in step flaky \(Flaky act\): API hiccup/);
    expect(recordsOf(journalOf(result.runDir), 'intent')).toHaveLength(3);
  });

  it('retries transient errors of read phases too (check)', async () => {
    const h = new Harness(tmp());
    const runbook = flaky([]);
    const step = runbook.steps[0] as Step<TestEnv>;
    const check = step.check;
    let checks = 0;
    step.check = async (ctx) => {
      if (++checks === 1) throw Object.assign(new Error('Too Many Requests'), { statusCode: 429 });
      return check(ctx);
    };
    const result = await h.run({ random: half }, runbook);
    expect(result.state).toBe('completed');
    expect(h.eventsOf('retry').map((e) => e.phase)).toEqual(['check']);
  });
});

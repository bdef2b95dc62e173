import { describe, expect, it } from 'vitest';
import { FatalError, NeedsOperatorError, TransientError, UnreachableError, UsageError } from '../../src/common/errors.js';
import { classifyError } from '../../src/engine/classify.js';
import { backoffDelay, withRetries, RetriesExhausted } from '../../src/engine/backoff.js';
import { VirtualClock } from './helpers/virtual-clock.js';

const status = (statusCode: number, reason?: string) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, reason });
const net = (code: string) => Object.assign(new Error(code), { code });

describe('classifyError', () => {
  it.each([
    ['TransientError', new TransientError('x'), true],
    ['UnreachableError', new UnreachableError('x'), true],
    ['FatalError', new FatalError('x'), false],
    ['UsageError', new UsageError('x'), false],
    ['NeedsOperatorError', new NeedsOperatorError('x'), false],
    ['429', status(429), true],
    ['500', status(500), true],
    ['502', status(502), true],
    ['503', status(503), true],
    ['504', status(504), true],
    ['409 Conflict', status(409, 'Conflict'), true],
    ['409 AlreadyExists', status(409, 'AlreadyExists'), false],
    ['400', status(400), false],
    ['403', status(403), false],
    ['404', status(404), false],
    ['422', status(422), false],
    ['501', status(501), false],
    ['client-node ApiException (numeric code)', Object.assign(new Error('x'), { code: 503, body: '' }), true],
    ['response.statusCode', Object.assign(new Error('x'), { response: { statusCode: 502 } }), true],
    ['Status body', Object.assign(new Error('x'), { body: { code: 409, reason: 'Conflict' } }), true],
    ['ECONNREFUSED', net('ECONNREFUSED'), true],
    ['ECONNRESET', net('ECONNRESET'), true],
    ['ETIMEDOUT', net('ETIMEDOUT'), true],
    ['ECONNRESET as cause', new Error('fetch failed', { cause: net('ECONNRESET') }), true],
    ['ENOENT', net('ENOENT'), false],
    ['plain Error', new Error('bug'), false],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), false],
    ['a string', 'oops', false],
  ])('%s → transient %s', (_name, err, transient) => {
    expect(classifyError(err).transient).toBe(transient);
  });

  it('does not call a lost connection transient when the API is expected to go', () => {
    expect(classifyError(net('ECONNREFUSED'), { apiMayVanish: true }).transient).toBe(false);
    const wrapped = Object.assign(new UnreachableError('cannot reach'), { code: 'ECONNREFUSED', transient: true });
    expect(classifyError(wrapped, { apiMayVanish: true }).transient).toBe(false);
    expect(classifyError(status(503), { apiMayVanish: true }).transient).toBe(true);
  });

  it('passes Retry-After on', () => {
    expect(classifyError(Object.assign(status(429), { retryAfterSeconds: 7 })).retryAfterMs).toBe(7000);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 5, baseMs: 1000, capMs: 8000 };
  it('draws up to base·2^n, capped (full jitter)', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999))).toEqual([999, 1998, 3996, 7992, 7992, 7992]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0, 5000)).toBe(5000); // Retry-After is a floor
    expect(backoffDelay(1, policy, () => 0, 60_000)).toBe(8000); // … under the cap
  });

  it('retries transient failures a bounded number of times on the clock', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const hooks = { clock, signal: new AbortController().signal, policy, random: () => 0.5 };
    await expect(
      withRetries(async () => {
        calls += 1;
        throw new TransientError('down');
      }, hooks),
    ).rejects.toBeInstanceOf(RetriesExhausted);
    expect(calls).toBe(5);
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000]);
  });

  it('stops at once on a non-transient failure', async () => {
    let calls = 0;
    const hooks = { clock: new VirtualClock(), signal: new AbortController().signal, policy };
    await expect(
      withRetries(async () => {
        calls += 1;
        throw new FatalError('no');
      }, hooks),
    ).rejects.toBeInstanceOf(FatalError);
    expect(calls).toBe(1);
  });
});

// Per-request retries: a busy apiserver's 429/503 with Retry-After and a failed read are
// sent again inside one request, so one bad answer does not cost a runbook step an attempt;
// writes the server may have applied are not. A scripted HTTP server answers in turn.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/common/clock.js';
import { TransientError } from '../../src/common/errors.js';
import { apiErrorInfo } from '../../src/cluster/errors.js';
import { RequestRecorder } from '../../src/cluster/recorder.js';
import { MAX_READ_RETRIES, MAX_RETRY_AFTER_RETRIES, requestRetry, RetryBudget } from '../../src/cluster/request-retry.js';

const requestRetryDelayMs = (method: string, err: unknown, retries: number) => requestRetry(method, err, retries)?.delayMs;
import { Transport } from '../../src/cluster/transport.js';

interface Answer {
  code: number;
  retryAfter?: string;
  reset?: boolean;
}

const script: Answer[] = [];
let served = 0;
let server: Server;
let url = '';

function status(code: number): string {
  const reason = code === 429 ? 'TooManyRequests' : code === 503 ? 'ServiceUnavailable' : code === 200 ? '' : 'InternalError';
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: 'scripted' });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    served++;
    const a = script.shift() ?? { code: 200 };
    if (a.reset) return void req.socket.destroy();
    res.writeHead(a.code, { 'Content-Type': 'application/json', ...(a.retryAfter !== undefined ? { 'Retry-After': a.retryAfter } : {}) });
    res.end(a.code === 200 ? JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'harv1' } }) : status(a.code));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sleeps: number[] = [];
const clock: Clock = { now: () => 0, scale: 1, sleep: async (ms) => void sleeps.push(ms) };
let recorder: RequestRecorder;
let transport: Transport;

beforeEach(() => {
  script.length = 0;
  sleeps.length = 0;
  served = 0;
  recorder = new RequestRecorder();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  transport = new Transport({ kc, server: url, clock, recorder, rateLimit: { qps: 0, burst: 1 } });
});

const getNode = () => transport.request<{ metadata: { name: string } }>({ method: 'GET', path: '/api/v1/nodes/harv1' });
const patchNode = () => transport.request({ method: 'PATCH', path: '/api/v1/nodes/harv1', body: {}, contentType: 'application/merge-patch+json' });

describe('one request against a busy apiserver', () => {
  it('429 and 503 with Retry-After are sent again after the seconds the server asked, for reads and writes alike', async () => {
    script.push({ code: 429, retryAfter: '1' }, { code: 503, retryAfter: '2' });
    expect((await getNode()).metadata.name).toBe('harv1');
    expect(sleeps).toEqual([1000, 2000]);
    script.push({ code: 429, retryAfter: '1' });
    await patchNode();
    expect(served).toBe(5);
    expect(recorder.records.map((s) => [s.method, s.status])).toEqual([
      ['GET', 429],
      ['GET', 503],
      ['GET', 200],
      ['PATCH', 429],
      ['PATCH', 200],
    ]);
  });

  it('a read that failed with a 500 or a reset connection is sent again with a doubling pause; a write is not', async () => {
    script.push({ code: 500 }, { code: 0, reset: true });
    expect((await getNode()).metadata.name).toBe('harv1');
    expect(sleeps).toEqual([250, 500]);
    script.push({ code: 500 });
    await expect(patchNode()).rejects.toBeInstanceOf(TransientError);
    expect(served).toBe(4);
  });

  it('gives up after its retries with the last answer, named as before', async () => {
    for (let i = 0; i <= MAX_READ_RETRIES; i++) script.push({ code: 500 });
    const err = await getNode().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(String((err as Error).message)).toMatch(/answered 500 InternalError to get nodes "harv1"/);
    expect(served).toBe(MAX_READ_RETRIES + 1);
  });

  it('stops its own read retries when the server fails everything (etcd without quorum), and keeps the ones the server asks for', async () => {
    // Every try fails: each failure spends a token; past half the budget a read is tried once.
    const tries: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j <= MAX_READ_RETRIES; j++) script.push({ code: 500 });
      const before = served;
      await getNode().catch(() => undefined);
      tries.push(served - before);
      script.length = 0;
    }
    expect(tries).toEqual([4, 1, 1, 1]);
    script.push({ code: 503, retryAfter: '1' });
    expect((await getNode()).metadata.name).toBe('harv1');
    // Answers earn the budget back: after enough of them a failed read is retried again.
    for (let i = 0; i < 30; i++) await getNode();
    script.push({ code: 500 });
    sleeps.length = 0;
    expect((await getNode()).metadata.name).toBe('harv1');
    expect(sleeps).toEqual([250]);
  });

  it('a 4xx goes straight to the caller', async () => {
    script.push({ code: 404 });
    await expect(getNode()).rejects.toThrow(/not found/);
    expect(served).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('requestRetry', () => {
  const answer = (statusCode: number, retryAfterSeconds?: number) => Object.assign(new Error('x'), { statusCode, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });

  it('follows Retry-After up to its cap and count', () => {
    expect(requestRetryDelayMs('DELETE', answer(503, 3), 0)).toBe(3000);
    expect(requestRetryDelayMs('POST', answer(429, 3600), 0)).toBe(10_000);
    expect(requestRetryDelayMs('POST', answer(429, 1), MAX_RETRY_AFTER_RETRIES)).toBeUndefined();
    // Retry-After on a 4xx other than 429 is no promise the request was not processed.
    expect(requestRetryDelayMs('POST', answer(409, 1), 0)).toBeUndefined();
  });

  it('retries reads only on 5xx and resets, never refused connections or timeouts', () => {
    expect(requestRetryDelayMs('GET', answer(502), 2)).toBe(1000);
    expect(requestRetryDelayMs('GET', answer(502), MAX_READ_RETRIES)).toBeUndefined();
    expect(requestRetryDelayMs('GET', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 0)).toBeUndefined();
    expect(requestRetryDelayMs('GET', Object.assign(new Error('x'), { code: 'REQUEST_TIMEOUT' }), 0)).toBeUndefined();
    expect(requestRetryDelayMs('GET', new Error('not an API error'), 0)).toBeUndefined();
    expect(apiErrorInfo(answer(500))?.statusCode).toBe(500);
  });
});

describe('RetryBudget', () => {
  it('allows retries while failures are a small share of the answers', () => {
    const b = new RetryBudget(10, 0.2);
    // 1 failure in 10 answers (10 %): the budget holds.
    for (let i = 0; i < 500; i++) {
      if (i % 10 === 0) b.failed();
      else b.succeeded();
      expect(b.allowsRetry()).toBe(true);
    }
    // Nothing but failures: retries stop after five.
    const allowed: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      b.failed();
      allowed.push(b.allowsRetry());
    }
    expect(allowed).toEqual([true, true, true, true, false, false, false, false]);
  });
});

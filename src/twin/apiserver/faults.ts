// Injected failures and degraded states, shaped like kube-apiserver's own: random
// 500/503/429 answers (429 and 503 with Retry-After, as API Priority and Fairness and an
// unready aggregated API send them), and the answers of an apiserver whose etcd has lost
// quorum ("etcdserver: request timed out", failing health checks).
import { statusBody } from './http.js';
import type { ApiFaults } from './types.js';

export interface FaultAnswer {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** A random failure for this request, or undefined (most of the time). */
export function injectedFault(f: ApiFaults, rand: () => number = Math.random): FaultAnswer | undefined {
  const rate = f.errorRate ?? 0;
  if (!(rate > 0) || rand() >= rate) return undefined;
  const pick = Math.floor(rand() * 3);
  if (pick === 0) {
    return {
      code: 429,
      headers: { 'Retry-After': '1' },
      body: statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { causes: [{ message: 'Too many requests, please try again later.' }], retryAfterSeconds: 1 }),
    };
  }
  if (pick === 1) {
    return {
      code: 503,
      headers: { 'Retry-After': '1' },
      body: statusBody(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', { causes: [{ reason: 'UnexpectedServerResponse', message: 'service unavailable' }], retryAfterSeconds: 1 }),
    };
  }
  return { code: 500, headers: {}, body: statusBody(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' }] }) };
}

/** A resource request while etcd has no quorum: the error is not a Status upstream, so no reason. */
export function etcdUnavailable(): FaultAnswer {
  return { code: 500, headers: {}, body: statusBody(500, '', 'etcdserver: request timed out') };
}

/** /readyz, /livez, /healthz text (verbose or not), healthy or with etcd failing. */
export function healthText(path: string, healthy: boolean): { code: number; text: string } {
  const name = path.replace(/^\//, '').split('/')[0] ?? 'healthz';
  if (healthy) return { code: 200, text: 'ok' };
  return { code: 500, text: `[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n${name} check failed\n` };
}

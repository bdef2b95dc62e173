// When one request is sent again at once, before its error reaches the runbook step.
//
// A step re-reads dozens of objects, and the engine retries a failed step as a whole. On
// a busy control plane (API Priority and Fairness answering 429, an apiserver restarting,
// etcd slow during a shutdown) one failed read in forty would fail the whole attempt: at
// a 5 % error rate a forty-read step fails ~87 % of its attempts and soon runs out of
// them. So, per request:
// - an answer of 429 or 5xx that carries Retry-After was not processed by the server:
//   it is sent again after that many seconds (at most 10), up to 10 times, whatever the
//   verb — the rule client-go's REST client follows, so fallow behaves like kubectl;
// - a GET that failed with a 5xx, or whose connection was reset, is sent again 3 times
//   after 250 ms, 500 ms, 1 s: reads are idempotent. Writes without Retry-After are not:
//   the server may have applied them, and the step that made them re-reads first.
// Anything else (4xx, refused connection, timeout) goes to the step as it is: a cluster
// that is down is the runbook's wait loops' business, not one request's.
//
// The read retries are held to a budget (RetryBudget): an apiserver whose etcd has lost
// quorum answers every read 500 for minutes, and four tries of every informer relist and
// poll would only multiply the load on it and hold the QPS limit for nothing — the
// rehearsal's shutdown took 51 modelled minutes instead of 32 that way.
import { apiErrorInfo } from './errors.js';

export const MAX_RETRY_AFTER_RETRIES = 10;
export const MAX_READ_RETRIES = 3;
const MAX_RETRY_AFTER_MS = 10_000;
const READ_BACKOFF_MS = 250;
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export interface RequestRetry {
  delayMs: number;
  /** The server asked for it (Retry-After); false: fallow's own read retry, held to the budget. */
  serverAsked: boolean;
}

/** Whether and when to send the request again, or undefined to give up with `err`. `retries` = how many were sent again already. */
export function requestRetry(method: string, err: unknown, retries: number): RequestRetry | undefined {
  const info = apiErrorInfo(err);
  if (!info) return undefined;
  const status = info.statusCode ?? 0;
  const serverSaysLater = info.retryAfterSeconds !== undefined && (status === 429 || (status >= 500 && status <= 599));
  if (serverSaysLater && retries < MAX_RETRY_AFTER_RETRIES) return { delayMs: Math.min(Math.max(info.retryAfterSeconds ?? 0, 0) * 1000, MAX_RETRY_AFTER_MS), serverAsked: true };
  if (method === 'GET' && isServerFailure(err) && retries < MAX_READ_RETRIES) return { delayMs: READ_BACKOFF_MS * 2 ** retries, serverAsked: false };
  return undefined;
}

/** A 5xx answer or a reset connection: what the budget counts as a failure. */
export function isServerFailure(err: unknown): boolean {
  const info = apiErrorInfo(err);
  return (info?.statusCode ?? 0) >= 500 || (info?.code !== undefined && RESET_CODES.has(info.code));
}

/**
 * Retry throttling as gRPC specifies it (and Finagle's retry budget): every server failure
 * costs a token, every answered request earns a fraction of one back, and fallow's own
 * retries are allowed only while more than half the tokens are left. A few failures among
 * many answers keep the retries; a server failing everything stops them after a handful.
 * Written here because it is a dozen lines and no Kubernetes client library offers it.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly max = 10,
    private readonly earnedPerSuccess = 0.2,
  ) {
    this.tokens = max;
  }

  succeeded(): void {
    this.tokens = Math.min(this.max, this.tokens + this.earnedPerSuccess);
  }

  failed(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  allowsRetry(): boolean {
    return this.tokens > this.max / 2;
  }
}

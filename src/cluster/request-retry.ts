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
import { apiErrorInfo } from './errors.js';

export const MAX_RETRY_AFTER_RETRIES = 10;
export const MAX_READ_RETRIES = 3;
const MAX_RETRY_AFTER_MS = 10_000;
const READ_BACKOFF_MS = 250;
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** How long to wait before sending the request again, or undefined to give up with `err`. `retries` = how many were sent again already. */
export function requestRetryDelayMs(method: string, err: unknown, retries: number): number | undefined {
  const info = apiErrorInfo(err);
  if (!info) return undefined;
  const status = info.statusCode ?? 0;
  const serverSaysLater = info.retryAfterSeconds !== undefined && (status === 429 || (status >= 500 && status <= 599));
  if (serverSaysLater && retries < MAX_RETRY_AFTER_RETRIES) return Math.min(Math.max(info.retryAfterSeconds ?? 0, 0) * 1000, MAX_RETRY_AFTER_MS);
  const readFailed = status >= 500 || (info.code !== undefined && RESET_CODES.has(info.code));
  if (method === 'GET' && readFailed && retries < MAX_READ_RETRIES) return READ_BACKOFF_MS * 2 ** retries;
  return undefined;
}

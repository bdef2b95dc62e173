// Which errors are worth retrying. Read structurally, so it knows no Kubernetes client:
// fallow's own error classes first, then the fields API errors carry (statusCode or a
// numeric code, Status reason, a `transient` flag, a network `code`, also on `cause`).
import { FallowError, TransientError, UnreachableError } from '../common/errors.js';

export interface Classification {
  transient: boolean;
  /** Short words for messages: "HTTP 503", "ECONNRESET", "FatalError". */
  why: string;
  /** The server asked to wait this long (Retry-After), in ms. */
  retryAfterMs?: number;
}

export interface ClassifyOptions {
  /** The step is taking the API down (or the node under it): losing it is not a glitch. */
  apiMayVanish?: boolean;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'REQUEST_TIMEOUT',
]);

interface Shape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  reason?: unknown;
  transient?: unknown;
  retryAfterSeconds?: unknown;
  response?: { statusCode?: unknown; status?: unknown };
  body?: { code?: unknown; reason?: unknown };
  cause?: unknown;
}

function httpStatus(e: Shape): number | undefined {
  for (const v of [e.statusCode, typeof e.code === 'number' ? e.code : undefined, e.status, e.response?.statusCode, e.response?.status, e.body?.code]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
  }
  return undefined;
}

function networkCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 3) return undefined;
  const e = err as Shape;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  return networkCode(e.cause, depth + 1);
}

/** Transient (retry with backoff) or not (stop): never retries what retrying cannot fix. */
export function classifyError(err: unknown, opts: ClassifyOptions = {}): Classification {
  if (typeof err !== 'object' || err === null) return { transient: false, why: String(err) };
  const e = err as Shape;
  if (e.name === 'AbortError') return { transient: false, why: 'aborted' };
  const net = networkCode(err);
  if (net && opts.apiMayVanish) return { transient: false, why: `${net} while the API was expected to go away` };
  const retryAfterMs = typeof e.retryAfterSeconds === 'number' ? { retryAfterMs: e.retryAfterSeconds * 1000 } : {};
  if (err instanceof TransientError || err instanceof UnreachableError) {
    return { transient: true, why: net ?? err.name, ...retryAfterMs };
  }
  if (err instanceof FallowError) return { transient: false, why: err.name };
  const status = httpStatus(e);
  if (status !== undefined) {
    const reason = typeof e.reason === 'string' ? e.reason : typeof e.body?.reason === 'string' ? e.body.reason : undefined;
    // 409 is worth a retry only as an update conflict (re-read, re-apply), not AlreadyExists.
    const conflict = status === 409 && reason === 'Conflict';
    return { transient: RETRY_STATUS.has(status) || conflict, why: `HTTP ${status}${reason ? ` ${reason}` : ''}`, ...retryAfterMs };
  }
  if (e.transient === true) return { transient: true, why: 'transient', ...retryAfterMs };
  if (net) return { transient: true, why: net };
  return { transient: false, why: typeof e.name === 'string' ? e.name : 'error' };
}

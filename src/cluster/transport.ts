// The one door to the API server: every REST request, watch and download goes through
// here, so the QPS limit, the request timeout, the recorder and the error mapping apply
// to all of them alike. Credentials and TLS come from client-node's KubeConfig (token,
// client certs, exec/OIDC plugins); the HTTP itself is node:https with a keep-alive agent,
// because client-node's generated clients turn timestamps into Date objects, cannot reach
// subresources.kubevirt.io or Harvester's /v1 download route, and build a new TLS agent
// per call. Exec (WebSocket) is in exec.ts and uses admit()/record() from here.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, RealClock } from '../common/clock.js';
import { mapNetworkError, mapStatusError, type RequestContextInfo } from './errors.js';
import { defaultRateLimit, type RateLimit, TokenBucket } from './ratelimit.js';
import { type RequestRecorder, verbOf, type Verb } from './recorder.js';
import { isServerFailure, requestRetry, RetryBudget } from './request-retry.js';
import type { StatusObject } from './types.js';

export interface TransportOptions {
  kc: KubeConfig;
  /** The API server URL of the current context, without trailing slash. */
  server: string;
  /** Per-request timeout in wall ms (0 = none). Watches use it only until headers arrive. */
  requestTimeoutMs?: number;
  rateLimit?: RateLimit;
  recorder?: RequestRecorder;
  userAgent?: string;
  /** Paces the per-request retries (request-retry.ts); the run's clock, real by default. */
  clock?: Clock;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Overrides the transport's request timeout for this call (0 = none). */
  timeoutMs?: number;
  /** Verb to record when the HTTP method alone says too little ("download"). */
  verb?: Verb;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface AuthOptions extends https.RequestOptions {
  headers?: Record<string, string>;
}

export class Transport {
  readonly server: string;
  readonly bucket: TokenBucket;
  readonly requestTimeoutMs: number;
  private agent: http.Agent | undefined;
  private readonly url: URL;
  private readonly retryBudget = new RetryBudget();

  constructor(private readonly opts: TransportOptions) {
    this.server = opts.server;
    this.url = new URL(opts.server);
    this.bucket = new TokenBucket(opts.rateLimit ?? defaultRateLimit);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get kc(): KubeConfig {
    return this.opts.kc;
  }

  /** Waits for a QPS token: every request takes one, including watches and exec. */
  admit(signal?: AbortSignal): Promise<void> {
    return this.bucket.take(signal);
  }

  record(r: Parameters<RequestRecorder['add']>[0]): void {
    this.opts.recorder?.add(r);
  }

  /**
   * A JSON request; resolves with the parsed body, rejects with a mapped FallowError.
   * Sent again on the answers request-retry.ts names (each try recorded and rate-limited).
   */
  async request<T>(spec: RequestSpec): Promise<T> {
    for (let retries = 0; ; retries++) {
      try {
        const out = await this.requestOnce<T>(spec);
        this.retryBudget.succeeded();
        return out;
      } catch (err) {
        if (isServerFailure(err)) this.retryBudget.failed();
        const again = spec.signal?.aborted ? undefined : requestRetry(spec.method, err, retries);
        if (!again || (!again.serverAsked && !this.retryBudget.allowsRetry())) throw err;
        await (this.opts.clock ?? realClock).sleep(again.delayMs, spec.signal);
      }
    }
  }

  private async requestOnce<T>(spec: RequestSpec): Promise<T> {
    const { res, finish, ctx, signal, cleanup } = await this.open(spec, true);
    try {
      const text = await readBody(res, signal);
      finish(res.statusCode ?? 0);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw mapStatusError(ctx, status, parseStatus(text), header(res, 'retry-after'));
      return (text.length > 0 ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw failure(err, ctx, signal, finish);
    } finally {
      cleanup();
    }
  }

  /**
   * A streaming request (watch, download): resolves with the response once headers say
   * 2xx; the request timeout covers only the wait for headers. Non-2xx bodies are read
   * and mapped to errors.
   */
  async stream(spec: RequestSpec): Promise<IncomingMessage> {
    const { res, finish, ctx, signal, cleanup } = await this.open(spec, false);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status <= 299) {
      finish(status);
      cleanup();
      return res;
    }
    try {
      const text = await readBody(res, signal);
      finish(status);
      throw mapStatusError(ctx, status, parseStatus(text), header(res, 'retry-after'));
    } catch (err) {
      throw failure(err, ctx, signal, finish);
    } finally {
      cleanup();
    }
  }

  private async open(spec: RequestSpec, timeoutCoversBody: boolean) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    const verb = spec.verb ?? verbOf(spec.method, spec.path, query);
    const ctx: RequestContextInfo = { server: this.server, method: spec.method, path: spec.path, verb };
    await this.admit(spec.signal);

    const timeoutMs = spec.timeoutMs ?? this.requestTimeoutMs;
    const timeout = new AbortController();
    const timer = timeoutMs > 0 ? setTimeout(() => timeout.abort(new TimeoutMarker()), timeoutMs) : undefined;
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout.signal]) : timeout.signal;
    const cleanup = () => clearTimeout(timer);

    const t = Date.now();
    const finish = (status: number, error?: string) =>
      this.record({ t, method: spec.method, path: spec.path, ...(qs ? { query: qs } : {}), verb, status, durationMs: Date.now() - t, ...(error ? { error } : {}) });

    let auth: AuthOptions;
    try {
      auth = await this.auth();
    } catch (err) {
      cleanup();
      finish(0, 'AUTH');
      throw mapNetworkError(ctx, err);
    }
    const headers: Record<string, string> = { ...(auth.headers ?? {}), Accept: spec.accept ?? 'application/json' };
    if (this.opts.userAgent) headers['User-Agent'] = this.opts.userAgent;
    let payload: Buffer | undefined;
    if (spec.body !== undefined) {
      payload = Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const basePath = this.url.pathname.replace(/\/+$/, '');
    const lib = this.url.protocol === 'http:' ? http : https;
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = lib.request(
          {
            protocol: this.url.protocol,
            hostname: this.url.hostname,
            port: this.url.port,
            method: spec.method,
            path: `${basePath}${spec.path}${qs ? `?${qs}` : ''}`,
            headers,
            agent: this.agent,
            signal,
            ...(auth.auth ? { auth: auth.auth } : {}),
          },
          resolve,
        );
        req.on('error', reject);
        req.end(payload);
      });
      if (!timeoutCoversBody) clearTimeout(timer);
      return { res, finish, ctx, signal, cleanup };
    } catch (err) {
      cleanup();
      finish(0, codeOf(err, signal));
      throw mapNetworkError(ctx, timeoutAware(err, signal));
    }
  }

  /** Fresh auth headers per request (exec plugins and OIDC refresh); one TLS agent, kept alive. */
  private async auth(): Promise<AuthOptions> {
    const opts: AuthOptions = {};
    await this.opts.kc.applyToHTTPSOptions(opts);
    if (!this.agent) {
      const tls: https.AgentOptions = {
        keepAlive: true,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
      };
      this.agent = this.url.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent(tls);
    }
    return opts;
  }

  /** Frees idle keep-alive sockets, so a CLI process can exit promptly. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

const realClock = new RealClock();

class TimeoutMarker extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor() {
    super('request timed out');
  }
}

function timeoutAware(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted && signal.reason instanceof TimeoutMarker ? signal.reason : err;
}

function codeOf(err: unknown, signal: AbortSignal): string {
  const e = timeoutAware(err, signal) as { code?: string; name?: string };
  return e?.code ?? e?.name ?? 'ERROR';
}

function isFallow(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'exitCode' in err;
}

/** What a failed request rejects with: an error already mapped as it is, else a network error (recorded as status 0). */
function failure(err: unknown, ctx: RequestContextInfo, signal: AbortSignal, finish: (status: number, error?: string) => void): unknown {
  if (isFallow(err)) return err;
  finish(0, codeOf(err, signal));
  return mapNetworkError(ctx, timeoutAware(err, signal));
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseStatus(text: string): StatusObject | undefined {
  try {
    const v = JSON.parse(text) as StatusObject;
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return text ? { message: text.slice(0, 300) } : undefined;
  }
}

function readBody(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = () => {
      res.destroy();
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}

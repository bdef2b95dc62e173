// A minimal HTTPS client for a Kubernetes API server (the twin's or a real kube-apiserver):
// bearer token, pinned CA, JSON in and out, line-delimited watch streams. Failures with a
// metav1.Status body become the store's StatusError, so code written against LocalTwinApi
// sees the same errors over HTTP. Used by HttpTwinApi and the fidelity bed; knows nothing
// of kinds or controllers.
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { StatusError, type StatusDetails, type StatusReason } from './store/errors.js';

export interface KubeEndpoint {
  /** https://host:port, no trailing slash. */
  server: string;
  caPem: string;
  token: string;
}

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface KubeStream {
  /** Resolves with the HTTP status once the stream has ended (or was closed). */
  readonly done: Promise<number>;
  close(): void;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The StatusError a failed response stands for (a Status body, or one made from the code). */
export function statusErrorOf(res: Pick<KubeResponse, 'status' | 'body' | 'text'>): StatusError {
  const b = res.body as { kind?: string; reason?: string; message?: string; details?: StatusDetails; code?: number } | undefined;
  if (b && b.kind === 'Status') {
    return new StatusError(b.code ?? res.status, (b.reason || 'InternalError') as StatusReason, b.message ?? '', b.details);
  }
  return new StatusError(res.status, res.status === 404 ? 'NotFound' : 'InternalError', res.text.slice(0, 500) || `HTTP ${res.status}`);
}

export class KubeHttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(readonly endpoint: KubeEndpoint) {
    this.base = new URL(endpoint.server);
    this.agent = new Agent({ ca: endpoint.caPem, keepAlive: true, maxSockets: 32 });
  }

  /** One request; resolves for every HTTP status, rejects only when no answer came. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse> {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          timeout: opts.timeoutMs ?? 30_000,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${this.endpoint.token}`,
            ...(payload !== undefined ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parseJson(text) });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer from ${this.endpoint.server} within ${opts.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but a non-2xx answer throws the StatusError it carries. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    if (res.status < 200 || res.status > 299) throw statusErrorOf(res);
    return res.body as T;
  }

  /**
   * A streaming GET (watch): calls onLine with each parsed JSON line. A non-2xx answer
   * calls onError with its StatusError and ends the stream; so does a network error.
   */
  stream(path: string, onLine: (obj: unknown) => void, onError: (err: Error) => void): KubeStream {
    let close: () => void = () => undefined;
    const done = new Promise<number>((resolve) => {
      const req = httpsRequest(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method: 'GET',
          path,
          headers: { accept: 'application/json', authorization: `Bearer ${this.endpoint.token}` },
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            if (status < 200 || status > 299) return;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              const obj = line ? parseJson(line) : undefined;
              if (obj !== undefined) onLine(obj);
            }
          });
          let finished = false;
          const finish = (): void => {
            if (finished) return;
            finished = true;
            if (status < 200 || status > 299) onError(statusErrorOf({ status, text: buf, body: parseJson(buf) }));
            resolve(status);
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', () => undefined); // 'close' follows and resolves
        },
      );
      req.on('error', (err) => {
        onError(err);
        resolve(0);
      });
      req.end();
      close = () => req.destroy();
    });
    return { done, close: () => close() };
  }

  close(): void {
    this.agent.destroy();
  }
}

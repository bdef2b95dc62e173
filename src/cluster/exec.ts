// Pod exec over WebSocket with client-node's `Exec` (v5/v4 channel protocols): collects
// stdout/stderr, reads the exit code from the status channel, and takes a QPS token and
// a recorder line like every other request. Handshake failures (403, 404, 400 "pod not
// running") are mapped like REST errors.
import { Writable } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import { mapNetworkError, mapStatusError, type RequestContextInfo } from './errors.js';
import type { Transport } from './transport.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  /** Wall ms for the whole exec (default: the transport's request timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

class Collect extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Exit code from the status channel: Success → 0, NonZeroExitCode → its ExitCode cause. */
export function exitCodeFromStatus(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : 1;
}

export async function execInPod(
  transport: Transport,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec`;
  const ctx: RequestContextInfo = { server: transport.server, method: 'GET', path, verb: 'exec' };
  await transport.admit(opts.signal);
  const t = Date.now();
  const record = (status: number, error?: string) =>
    transport.record({ t, method: 'GET', path, query: `container=${container}`, verb: 'exec', status, durationMs: Date.now() - t, ...(error ? { error } : {}) });

  const stdout = new Collect();
  const stderr = new Collect();
  let status: V1Status | undefined;
  let ws: Awaited<ReturnType<Exec['exec']>>;
  try {
    ws = await new Exec(transport.kc).exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => {
      status = s;
    });
  } catch (err) {
    const e = handshakeError(ctx, err);
    record(e.statusCode ?? 0, e.statusCode ? undefined : 'WS');
    throw e.error;
  }
  record(101);

  const timeoutMs = opts.timeoutMs ?? transport.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => {
      ws.close();
      done(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('exec aborted'));
    };
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        ws.close();
        done(mapNetworkError(ctx, Object.assign(new Error('exec timed out'), { code: 'REQUEST_TIMEOUT' })));
      }, timeoutMs);
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('close', () => done());
    ws.on('error', (e: Error) => done(mapNetworkError(ctx, e)));
  });
  return { stdout: stdout.text(), stderr: stderr.text(), exitCode: exitCodeFromStatus(status) };
}

function handshakeError(ctx: RequestContextInfo, err: unknown): { error: Error; statusCode?: number } {
  const msg = err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err);
  const m = msg.match(/Unexpected server response: (\d{3})/);
  if (m) {
    const code = Number(m[1]);
    return { error: mapStatusError(ctx, code, { message: `exec into ${ctx.path} refused` }), statusCode: code };
  }
  // ws reports network failures as ErrorEvent-like objects carrying the original error.
  const inner = (err as { error?: unknown })?.error ?? err;
  return { error: mapNetworkError(ctx, inner) };
}

// Small HTTP helpers shared by the API server's handlers: body reading with a size cap,
// JSON and Status answers shaped like kube-apiserver's, and content negotiation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../store/errors.js';

const maxBody = 3 * 1024 * 1024; // kube-apiserver's default request size limit

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body is undefined. */
export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new StatusError(400, 'BadRequest', `couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A metav1.Status body for any code; `reason` may be empty (kube's "Unknown"). */
export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code,
  };
}

export function sendError(res: ServerResponse, err: unknown): number {
  if (err instanceof StatusError) {
    sendJson(res, err.code, err.toStatus());
    return err.code;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, statusBody(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }));
  return 500;
}

/** The media types an Accept header lists, lowercased, parameters kept, in order. */
export function acceptList(accept: string | undefined): string[] {
  if (!accept) return ['*/*'];
  return accept
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\s*;\s*/g, ';'))
    .filter(Boolean);
}

/** True when the client asks for a meta.k8s.io Table (kubectl get does, with a JSON fallback). */
export function wantsTable(accept: string | undefined): boolean {
  const first = acceptList(accept).find((m) => m.startsWith('application/json') || m === '*/*');
  return Boolean(first && first.includes('as=table') && first.includes('g=meta.k8s.io'));
}

/** True when JSON (plain) is acceptable; kubectl and client-node always offer it. */
export function acceptsJson(accept: string | undefined): boolean {
  return acceptList(accept).some((m) => {
    const [type, ...params] = m.split(';');
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/json') return false;
    return !params.some((p) => p.startsWith('as='));
  });
}

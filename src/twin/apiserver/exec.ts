// Pod exec over WebSocket, as kube-apiserver relays it from the kubelet: subprotocols
// v5.channel.k8s.io / v4.channel.k8s.io (and the older channel.k8s.io family), binary
// frames whose first byte is the channel (1 stdout, 2 stderr, 3 error/status). v4+ ends
// with a metav1.Status on channel 3 (Success, or NonZeroExitCode with an ExitCode cause);
// older protocols send only a failure's text there. Errors before the upgrade (missing
// pod, pod not running, bad container) are plain HTTP Status answers, which clients turn
// into "Error from server (NotFound): …". SPDY/3.1 is refused with a clear 400.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { notFound, StatusError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import type { ExecHandler } from './types.js';

const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

const reasons: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${code} ${reasons[code] ?? 'Error'}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

interface ExecTarget {
  pod: KObject;
  container: string;
  command: string[];
  stdout: boolean;
  stderr: boolean;
}

type Container = { name: string };

/** Checks the exec request against the pod, as the apiserver and kubelet would. */
export function execTarget(store: Store, namespace: string | undefined, name: string, query: URLSearchParams): ExecTarget {
  const podType = store.typeFor('', 'v1', 'pods');
  const pod = podType ? store.tryGet(podType, namespace, name) : undefined;
  if (!pod) throw notFound('pods', '', name);
  const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[] };
  const containers = spec.containers ?? [];
  let container = query.get('container') ?? '';
  if (!container) {
    const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (dflt) container = dflt;
    else if (containers.length === 1) container = containers[0]!.name;
    else {
      throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    }
  }
  const all = [...containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === container)) throw new StatusError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  const command = query.getAll('command');
  if (command.length === 0) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 command');
  const phase = (pod.status as { phase?: string } | undefined)?.phase ?? 'Pending';
  if (!spec.nodeName) throw new StatusError(400, 'BadRequest', `pod ${name} does not have a host assigned`);
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new StatusError(400, 'BadRequest', `cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  if (phase !== 'Running') throw new StatusError(400, 'BadRequest', `unable to upgrade connection: container not found ("${container}")`);
  const flag = (k: string) => ['1', 'true'].includes(query.get(k) ?? '');
  return { pod, container, command, stdout: flag('stdout'), stderr: flag('stderr') };
}

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
  });

  constructor(private readonly handler: ExecHandler | undefined) {}

  /** Upgrades and runs the command; resolves with the HTTP status to log (101). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecTarget): number {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      const msg = 'the twin serves exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io); SPDY/3.1 is not supported';
      rejectUpgrade(socket, 400, new StatusError(400, 'BadRequest', msg).toStatus());
      return 400;
    }
    const handler = this.handler;
    if (!handler) {
      rejectUpgrade(socket, 500, new StatusError(500, 'InternalError', 'Internal error occurred: the twin API server was started without an exec handler').toStatus());
      return 500;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void run(ws, handler, target));
    return 101;
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}

function frame(channel: number, data: string | Buffer): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

async function run(ws: WebSocket, handler: ExecHandler, t: ExecTarget): Promise<void> {
  const statusful = ws.protocol === 'v4.channel.k8s.io' || ws.protocol === 'v5.channel.k8s.io';
  ws.on('message', () => {}); // stdin and v5 close signals are not used by the twin's commands
  let status: Record<string, unknown>;
  let errorText = '';
  try {
    const r = await handler(structuredClone(t.pod), t.container, t.command);
    if (t.stdout && r.stdout) send(ws, frame(1, r.stdout));
    if (t.stderr && r.stderr) send(ws, frame(2, r.stderr));
    if (r.exitCode === 0) status = { metadata: {}, status: 'Success' };
    else {
      errorText = `command terminated with non-zero exit code: error executing command [${t.command.join(' ')}], exit code ${r.exitCode}`;
      status = {
        metadata: {},
        status: 'Failure',
        message: errorText,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(r.exitCode) }] },
      };
    }
  } catch (e) {
    errorText = `Internal error occurred: error executing command in container: ${(e as Error).message}`;
    status = { metadata: {}, status: 'Failure', message: errorText, reason: 'InternalError', code: 500 };
  }
  if (statusful) send(ws, frame(3, JSON.stringify(status)));
  else if (errorText) send(ws, frame(3, errorText));
  if (ws.readyState === WebSocket.OPEN) ws.close(1000);
}

function send(ws: WebSocket, data: Buffer): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
}

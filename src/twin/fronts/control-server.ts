// The twin's power-control endpoint: a tiny loopback HTTP API over TwinNodePower for the
// processes that cannot call it in-process — the sshd ForceCommand script and ipmi_sim's
// chassis_control script.
//   GET  /nodes/<name>                    → {"name","state","power":0|1}
//   POST /nodes/<name>/shutdown|poweron|forceoff → 202 and the same body
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwinNodePower } from '../power.js';
import { assertLoopback } from './loopback.js';

export interface ControlEndpoint {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

const actions = {
  shutdown: (p: TwinNodePower, n: string) => p.requestShutdown(n),
  poweron: (p: TwinNodePower, n: string) => p.powerOn(n),
  forceoff: (p: TwinNodePower, n: string) => p.forceOff(n),
} as const;

export async function startControlEndpoint(power: TwinNodePower, host = '127.0.0.1', port = 0): Promise<ControlEndpoint> {
  assertLoopback(host);
  const server = createServer((req, res) => handle(power, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    host,
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(power: TwinNodePower, req: IncomingMessage, res: ServerResponse): void {
  const m = /^\/nodes\/([^/]+)(?:\/([a-z]+))?$/.exec(new URL(req.url ?? '/', 'http://twin').pathname);
  const node = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  if (!m || !node || !power.nodes().includes(node)) return reply(res, 404, { error: `no twin node ${node ?? ''}` });
  const verb = m[2];
  if (verb === undefined && req.method === 'GET') return reply(res, 200, describe(power, node));
  if (verb !== undefined && req.method === 'POST' && verb in actions) {
    actions[verb as keyof typeof actions](power, node);
    return reply(res, 202, describe(power, node));
  }
  reply(res, 405, { error: `${req.method} ${req.url} is not supported` });
}

function describe(power: TwinNodePower, node: string): { name: string; state: string; power: 0 | 1 } {
  const state = power.state(node);
  return { name: node, state, power: state === 'off' ? 0 : 1 };
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}

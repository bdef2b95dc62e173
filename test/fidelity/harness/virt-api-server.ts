// The aggregated API v1.subresources.kubevirt.io for the fidelity bed: a loopback HTTPS
// server of ours that kube-apiserver's aggregator proxies
// /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}/{start|stop|restart}
// to, registered as an APIService backed by an ExternalName Service (the aggregator
// resolves ExternalName services to host:port, so no cluster network is needed).
// The aggregator authenticated and authorised the caller already; like virt-api, we act
// with our own credentials.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServerPki } from '../../../src/twin/apiserver/tls.js';
import type { KubeHttpClient } from '../../../src/twin/http-client.js';
import { StatusError } from '../../../src/twin/store/errors.js';
import { vmSubresource, type VmAction } from './virt-api.js';

/** Where Harvester runs virt-api; the APIService points there. */
export const virtApiService = { namespace: 'harvester-system', name: 'virt-api' } as const;

const group = 'subresources.kubevirt.io';
const version = 'v1';

const resourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: `${group}/${version}`,
  resources: (['start', 'stop', 'restart'] as const).map((s) => ({
    name: `virtualmachines/${s}`,
    singularName: '',
    namespaced: true,
    kind: 'VirtualMachine',
    verbs: ['update'],
  })),
};

export interface AggregatedApi {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StatusError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

const actionPath = new RegExp(`^/apis/${group.replace(/\./g, '\\.')}/${version}/namespaces/([^/]+)/virtualmachines/([^/]+)/(start|stop|restart)$`);

/** Starts the server on 127.0.0.1:port (port 0: any) and registers the APIService. */
export async function startVirtApi(admin: KubeHttpClient, port = 0): Promise<AggregatedApi> {
  const pki = await createServerPki(`${virtApiService.name}.${virtApiService.namespace}.svc`);
  const server: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://x');
      try {
        if (req.method === 'GET' && url.pathname === `/apis/${group}/${version}`) return send(res, 200, resourceList);
        if (req.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/readyz')) return send(res, 200, 'ok');
        const m = actionPath.exec(url.pathname);
        if (!m) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`);
        if (req.method !== 'PUT') throw new StatusError(405, 'MethodNotAllowed', `${req.method} is not supported on ${m[3]}; use PUT`);
        const body = await readBody(req);
        await vmSubresource(admin, m[3] as VmAction, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), body);
        send(res, 202);
      } catch (err) {
        const e = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
        send(res, e.code, e.toStatus());
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  await register(admin, boundPort, pki.caPem);
  return {
    port: boundPort,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

async function register(admin: KubeHttpClient, port: number, caPem: string): Promise<void> {
  const { namespace, name } = virtApiService;
  await createOrKeep(admin, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await createOrKeep(admin, `/api/v1/namespaces/${namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port, protocol: 'TCP' }] },
  });
  await createOrKeep(admin, '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${version}.${group}` },
    spec: {
      group,
      version,
      service: { namespace, name, port },
      caBundle: Buffer.from(caPem).toString('base64'),
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  });
}

async function createOrKeep(admin: KubeHttpClient, path: string, obj: unknown): Promise<void> {
  const res = await admin.request('POST', path, { body: obj });
  if (res.status === 201 || res.status === 200 || res.status === 409) return;
  throw new Error(`creating ${path} for the virt-api aggregated API answered ${res.status}: ${res.text.slice(0, 300)}`);
}

// Pod exec for the fidelity bed: runs fidelity-kubelet (test/fidelity/go/k8s/cmd) on the
// given loopback addresses and answers its exec callbacks with an ExecHandler, the same
// handler type the twin's API server takes. kube-apiserver reaches it at each Node's
// InternalIP and status.daemonEndpoints.kubeletEndpoint.Port, so nodes the twin
// registers must carry one of `addresses` and `port`.
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { ExecHandler } from '../../../src/twin/apiserver/types.js';
import { createServerPki } from '../../../src/twin/apiserver/tls.js';
import type { KubeHttpClient } from '../../../src/twin/http-client.js';
import type { KObject } from '../../../src/twin/store/types.js';
import { binPath, freePort } from './control-plane.js';
import { Daemon } from './proc.js';

export interface BedKubelet {
  /** The kubelet port on every address (Node status.daemonEndpoints.kubeletEndpoint.Port). */
  readonly port: number;
  readonly addresses: string[];
  stop(): Promise<void>;
}

interface ExecCallback {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

export async function startKubelet(opts: { admin: KubeHttpClient; dir: string; addresses: string[]; exec: ExecHandler }): Promise<BedKubelet> {
  for (const a of opts.addresses) {
    if (isIP(a) !== 4 || !a.startsWith('127.')) throw new Error(`fidelity kubelet: ${a} is not a 127.0.0.0/8 address; the bed stays on loopback`);
  }
  const callback: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const cb = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExecCallback;
          const pod = await opts.admin.json<KObject>('GET', `/api/v1/namespaces/${encodeURIComponent(cb.namespace)}/pods/${encodeURIComponent(cb.pod)}`);
          const result = await opts.exec({ ...pod, apiVersion: 'v1', kind: 'Pod' }, cb.container, cb.command);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end((err as Error).message);
        }
      })();
    });
  });
  await new Promise<void>((ok) => callback.listen(0, '127.0.0.1', () => ok()));
  const cbAddr = callback.address();
  const cbPort = typeof cbAddr === 'object' && cbAddr ? cbAddr.port : 0;

  const pki = await createServerPki(opts.addresses[0] ?? '127.0.0.1');
  const cert = join(opts.dir, 'kubelet.crt');
  const key = join(opts.dir, 'kubelet.key');
  await writeFile(cert, pki.certPem);
  await writeFile(key, pki.keyPem, { mode: 0o600 });
  const port = await freePort();
  const daemon = new Daemon({
    name: 'fidelity-kubelet',
    bin: binPath('fidelity-kubelet'),
    args: [...opts.addresses.flatMap((a) => ['--listen', `${a}:${port}`]), '--tls-cert', cert, '--tls-key', key, '--exec-url', `http://127.0.0.1:${cbPort}/exec`],
    logFile: join(opts.dir, 'logs/fidelity-kubelet.log'),
  });
  daemon.start();
  try {
    await daemon.waitReady(async () => /serving on/.test(await daemon.logTail(50)) && (await daemon.logTail(50)).split('serving on').length > opts.addresses.length, 60_000);
  } catch (err) {
    callback.close();
    throw err;
  }
  return {
    port,
    addresses: [...opts.addresses],
    stop: async () => {
      await daemon.stop();
      await new Promise<void>((ok) => callback.close(() => ok()));
    },
  };
}

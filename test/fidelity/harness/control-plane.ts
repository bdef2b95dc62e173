// The command lines of the bed's daemons (etcd, kube-apiserver, kube-controller-manager):
// loopback only, free ports, temp dirs, token authn + RBAC. Pure functions of a layout, so
// a stopped apiserver restarts with exactly the flags it had.
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BedCredentials } from './credentials.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const binaries = ['kubectl', 'kube-apiserver', 'kube-controller-manager', 'etcd', 'fidelity-kubelet'] as const;
export type Binary = (typeof binaries)[number];

/** Where test/fidelity/build.sh puts the binaries; FALLOW_FIDELITY_BIN overrides. */
export function binDir(): string {
  return process.env.FALLOW_FIDELITY_BIN ?? join(repoRoot, '.cache/fidelity/bin');
}

export function binPath(name: Binary): string {
  return join(binDir(), name);
}

/** The binaries not built yet (the build script makes them). */
export function missingBinaries(): Binary[] {
  return binaries.filter((b) => !existsSync(binPath(b)));
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

export interface Layout {
  dir: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiPort: number;
  cmPort: number;
  creds: BedCredentials;
  /** kubeconfig the controller-manager uses (user system:kube-controller-manager). */
  cmKubeconfig: string;
}

/** RKE2's service range; nothing is routed there, the apiserver only allocates from it. */
export const serviceCidr = '10.53.0.0/16';

export function etcdArgs(l: Layout): string[] {
  const client = `http://127.0.0.1:${l.etcdClientPort}`;
  const peer = `http://127.0.0.1:${l.etcdPeerPort}`;
  return [
    '--name=fidelity',
    `--data-dir=${join(l.dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=fidelity=${peer}`,
    '--initial-cluster-state=new',
    '--log-level=warn',
    // Small and fast: the bed's data is throwaway.
    '--quota-backend-bytes=268435456',
    '--unsafe-no-fsync',
  ];
}

export function apiServerArgs(l: Layout): string[] {
  const f = l.creds.files;
  return [
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${l.apiPort}`,
    `--cert-dir=${join(l.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${f.serverCert}`,
    `--tls-private-key-file=${f.serverKey}`,
    `--etcd-servers=http://127.0.0.1:${l.etcdClientPort}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${f.saPub}`,
    `--service-account-signing-key-file=${f.saKey}`,
    `--token-auth-file=${f.tokens}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // A loopback advertise address cannot be written into the kubernetes Endpoints.
    '--endpoint-reconciler-type=none',
    '--kubelet-preferred-address-types=InternalIP',
    '--profiling=false',
    '--v=1',
  ];
}

/** Controllers off by default: they fight a simulated kubelet on wall-clock time. */
export const defaultDisabledControllers = ['nodelifecycle', 'taint-eviction-controller'];

export function controllerManagerArgs(l: Layout, controllers: string[]): string[] {
  return [
    `--kubeconfig=${l.cmKubeconfig}`,
    `--authentication-kubeconfig=${l.cmKubeconfig}`,
    `--authorization-kubeconfig=${l.cmKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${l.cmPort}`,
    `--cert-dir=${join(l.dir, 'cm-certs')}`,
    '--leader-elect=false',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${l.creds.files.saKey}`,
    `--root-ca-file=${l.creds.files.caCert}`,
    `--controllers=${controllers.join(',')}`,
    '--profiling=false',
    '--v=1',
  ];
}

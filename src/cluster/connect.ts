// Connecting like kubectl: kubeconfig + context + request timeout → a Cluster, checked
// once (/version answers, optionally the Harvester API groups are there) so every
// command fails early with one clear line instead of halfway through.
import { type Clock, RealClock } from '../common/clock.js';
import { Cluster } from './client.js';
import { assertHarvester, discover, type Discovery, serverVersion, type ServerVersion } from './discovery.js';
import type { InformerOptions } from './informer.js';
import { type KubeconfigOptions, loadKubeconfig, type LoadedKubeconfig } from './kubeconfig.js';
import type { RateLimit } from './ratelimit.js';
import type { RequestRecorder } from './recorder.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, Transport } from './transport.js';

export { parseRequestTimeout } from './duration.js';

export interface ConnectOptions extends KubeconfigOptions {
  /** Wall ms per request; 0 = none. */
  requestTimeoutMs?: number;
  rateLimit?: RateLimit;
  recorder?: RequestRecorder;
  clock?: Clock;
  userAgent?: string;
  /** Check discovery for the Harvester API groups (default true). */
  requireHarvester?: boolean;
  informer?: InformerOptions;
}

export interface Connection {
  cluster: Cluster;
  kubeconfig: LoadedKubeconfig;
  version: ServerVersion;
  discovery: Discovery;
}

export async function connect(opts: ConnectOptions = {}): Promise<Connection> {
  const kubeconfig = loadKubeconfig(opts);
  const transport = new Transport({
    kc: kubeconfig.kc,
    server: kubeconfig.server,
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.recorder ? { recorder: opts.recorder } : {}),
    userAgent: opts.userAgent ?? 'fallow',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const cluster = new Cluster(transport, opts.clock ?? new RealClock(), opts.informer);
  try {
    const version = await serverVersion(cluster);
    const discovery = await discover(cluster);
    if (opts.requireHarvester !== false) assertHarvester(discovery, cluster.server);
    return { cluster, kubeconfig, version, discovery };
  } catch (err) {
    cluster.close();
    throw err;
  }
}

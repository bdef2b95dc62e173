// Connecting like kubectl: kubeconfig + context + request timeout → a Cluster, checked
// once (/version answers, optionally the Harvester API groups are there) so every
// command fails early with one clear line instead of halfway through.
import { type Clock, RealClock } from '../common/clock.js';
import { UsageError } from '../common/errors.js';
import { Cluster } from './client.js';
import { assertHarvester, discover, type Discovery, serverVersion, type ServerVersion } from './discovery.js';
import type { InformerOptions } from './informer.js';
import { type KubeconfigOptions, loadKubeconfig, type LoadedKubeconfig } from './kubeconfig.js';
import type { RateLimit } from './ratelimit.js';
import type { RequestRecorder } from './recorder.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, Transport } from './transport.js';

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

/**
 * kubectl's --request-timeout: "0" (none), a bare number of seconds, or a duration with
 * units ("500ms", "30s", "2m", "1h", "1m30s"). Returns wall ms.
 */
export function parseRequestTimeout(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0].length;
  }
  if (v.length === 0 || matched !== v.length) {
    throw new UsageError(`invalid --request-timeout "${value}"`, 'Use 0 (no timeout), seconds (30) or a duration such as 30s, 2m or 1m30s');
  }
  return Math.round(total);
}

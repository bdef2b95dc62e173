// A cluster client that does not ask the API anything when made: the restart starts with
// every node off, so it cannot probe the server the way `connect` does.
import { Cluster } from '../../cluster/client.js';
import { loadKubeconfig, type LoadedKubeconfig } from '../../cluster/kubeconfig.js';
import { parseRequestTimeout } from '../../cluster/connect.js';
import { Transport } from '../../cluster/transport.js';
import type { CliContext, GlobalOptions } from '../context.js';

export function lazyCluster(ctx: CliContext, g: GlobalOptions): { cluster: Cluster; kubeconfig: LoadedKubeconfig } {
  const kubeconfig = loadKubeconfig({ ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}), ...(g.context ? { context: g.context } : {}), env: ctx.io.env });
  const transport = new Transport({
    kc: kubeconfig.kc,
    server: kubeconfig.server,
    requestTimeoutMs: parseRequestTimeout(g.requestTimeout),
    rateLimit: { qps: Number(g.qps), burst: Math.max(1, Number(g.burst)) },
    recorder: ctx.recorder,
    userAgent: 'fallow',
    clock: ctx.clock,
  });
  return { cluster: new Cluster(transport, ctx.clock), kubeconfig };
}

// fallow's client-side QPS limit on virtual time (startBed puts every virtual-time bed under it). The cluster layer's token bucket waits
// in wall time on purpose (it protects a real server); on virtual time such a wait looks
// like an idle process, so modelled time would race ahead while fallow is held back and
// its requests would land hundreds of modelled seconds late. This bucket refills and
// waits on the virtual clock instead, so the configured limit (20 QPS, burst 40 by
// default) costs exactly the modelled time it would cost against a real cluster.
import type { Clock } from '../../src/common/clock.js';
import { TokenBucket, type RateLimit } from '../../src/cluster/ratelimit.js';
import type { Cluster } from '../../src/cluster/client.js';

export class VirtualTokenBucket extends TokenBucket {
  private line: Promise<void> = Promise.resolve();

  constructor(
    limit: RateLimit,
    private readonly clock: Clock,
  ) {
    super(limit, () => clock.now());
  }

  override take(signal?: AbortSignal): Promise<void> {
    if (this.limit.qps === 0 || !Number.isFinite(this.limit.qps)) return Promise.resolve();
    const turn = this.line.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        if (this.tryTake()) return;
        await this.clock.sleep(1000 / this.limit.qps, signal);
      }
    });
    this.line = turn.catch(() => undefined); // a cancelled waiter must not block the others
    return turn;
  }
}

/** Puts a connected Cluster's requests under a virtual-time bucket with the same limit. */
export function useVirtualBucket(cluster: Cluster, clock: Clock): void {
  const transport = cluster.transport;
  Object.defineProperty(transport, 'bucket', { value: new VirtualTokenBucket(transport.bucket.limit, clock), configurable: true });
}

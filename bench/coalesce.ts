// On virtual time many changes land at one modelled instant (every timer due then fires
// together). fallow's waits re-evaluate on each informer event, and an evaluation over
// thousands of VMs is O(VMs): a 5,000-VM restart would re-scan the cache hundreds of
// thousands of times within a handful of instants and take far longer in wall time than
// the bench may. This wrapper hands fallow's wake-ups to it once per modelled instant,
// after every change of that instant has arrived — the same modelled time, the same final
// state seen; only the redundant evaluations of intermediate states are skipped. The
// runbook's subscriptions are all plain wake-ups (`onChange(wake)`), which is what this
// assumes.
import type { Clock } from '../src/common/clock.js';
import type { Cluster } from '../src/cluster/client.js';

type Listener = (...args: unknown[]) => void;

export function coalesceWakes(cluster: Cluster, clock: Clock): void {
  const original = cluster.cache.bind(cluster);
  const wrapped = new WeakMap<object, object>();
  const cache = ((...args: Parameters<Cluster['cache']>) => {
    const informer = original(...args) as unknown as object;
    let proxy = wrapped.get(informer);
    if (!proxy) {
      const bound = new Map<PropertyKey, unknown>(); // one bound method per name: get() is hot
      proxy = new Proxy(informer, {
        get(target, prop) {
          if (prop === 'onChange') return (listener: Listener) => deferred(target as { onChange(l: Listener): () => void }, listener, clock);
          const v = Reflect.get(target, prop, target) as unknown;
          if (typeof v !== 'function') return v;
          let b = bound.get(prop);
          if (!b) bound.set(prop, (b = (v as (...a: unknown[]) => unknown).bind(target)));
          return b;
        },
      });
      wrapped.set(informer, proxy);
    }
    return proxy;
  }) as Cluster['cache'];
  Object.defineProperty(cluster, 'cache', { value: cache, configurable: true });
}

function deferred(target: { onChange(l: Listener): () => void }, listener: Listener, clock: Clock): () => void {
  let pending = false;
  let live = true;
  let last: unknown[] = [];
  const off = target.onChange((...args: unknown[]) => {
    last = args;
    if (pending) return;
    pending = true;
    void clock.sleep(0).then(() => {
      pending = false;
      if (live) listener(...last);
    });
  });
  return () => {
    live = false;
    off();
  };
}

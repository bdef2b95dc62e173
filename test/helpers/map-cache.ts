// An in-memory CachePort for runbook waits that count how often they read the cache (the
// VM stop pool and start waves): every object read, by get or list, adds to `reads`.
import type { KObject } from '../../src/common/harvester-types.js';
import type { CachePort } from '../../src/runbook/ports.js';

export class MapCache<T extends KObject> implements CachePort<T> {
  readonly objects = new Map<string, T>();
  reads = 0;
  async synced(): Promise<void> {}
  list(): T[] {
    this.reads += this.objects.size;
    return [...this.objects.values()];
  }
  get(namespace: string | undefined, name: string): T | undefined {
    this.reads++;
    return this.objects.get(`${namespace}/${name}`);
  }
  onChange(): () => void {
    return () => undefined;
  }
  put(o: T): void {
    this.objects.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  }
}

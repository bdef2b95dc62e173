// The store's read-only views: key order, filters, and a new identity on every write.
import { describe, expect, it } from 'vitest';
import { Store } from '../../../src/twin/store/store.js';
import type { ResourceType } from '../../../src/twin/store/types.js';

const cm: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };

describe('Store.scan and peek', () => {
  it('returns stored objects in byte-wise key order, filtered, without copying', () => {
    const s = new Store();
    s.register(cm);
    for (const [ns, n] of [['b', 'x'], ['a', 'z-1'], ['a', 'z.1'], ['a', 'Z'], ['a', 'z']]) {
      s.create(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n!, namespace: ns!, labels: { ns: ns! } } });
    }
    expect(s.scan(cm).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/Z', 'a/z', 'a/z-1', 'a/z.1', 'b/x']);
    expect(s.scan(cm, { namespace: 'b' })).toHaveLength(1);
    expect(s.scan(cm, { labelSelector: 'ns=a' })).toHaveLength(4);
    expect(s.peek(cm, 'b', 'x')).toBe(s.scan(cm, { namespace: 'b' })[0]);
  });

  it('replaces an object on update, so the old view stays as it was', () => {
    const s = new Store();
    s.register(cm);
    s.create(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { v: '1' } });
    const before = s.peek(cm, 'n', 'c')!;
    const cur = s.get(cm, 'n', 'c');
    s.update(cm, { ...cur, data: { v: '2' } });
    const after = s.peek(cm, 'n', 'c')!;
    expect(after).not.toBe(before);
    expect(before.data).toEqual({ v: '1' });
    expect(after.data).toEqual({ v: '2' });
  });
});

// Strategic merge patch for the lists fallow and the seed patch, and its directives.
import { describe, expect, it } from 'vitest';
import { strategicMergePatch, StrategicPatchError } from '../../../src/twin/store/strategic-patch.js';

const podSpec = {
  containers: [
    { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80 }] },
    { name: 'b', image: 'b:1' },
  ],
  tolerations: [{ key: 't1' }],
};

const cases: [string, unknown, unknown, unknown][] = [
  ['merges containers by name, keeping the others', { spec: podSpec }, { spec: { containers: [{ name: 'b', image: 'b:2' }] } }, { spec: { ...podSpec, containers: [podSpec.containers[0], { name: 'b', image: 'b:2' }] } }],
  // kube-apiserver puts an item new to the list before the ones only the server had.
  ['puts a new container before the existing ones', { spec: podSpec }, { spec: { containers: [{ name: 'c', image: 'c:1' }] } }, { spec: { ...podSpec, containers: [{ name: 'c', image: 'c:1' }, ...podSpec.containers] } }],
  [
    'keeps patched items where the server had them when they are not new',
    { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
    { spec: { containers: [{ name: 'b', image: 'x' }] } },
    { spec: { containers: [{ name: 'a' }, { name: 'b', image: 'x' }, { name: 'c' }] } },
  ],
  [
    'orders patched items as the patch does; a server item goes before a patched one it preceded',
    { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
    { spec: { containers: [{ name: 'c', image: 'x' }, { name: 'n' }, { name: 'a', image: 'y' }] } },
    { spec: { containers: [{ name: 'b' }, { name: 'c', image: 'x' }, { name: 'n' }, { name: 'a', image: 'y' }] } },
  ],
  [
    'merges env by name inside a container',
    { spec: podSpec },
    { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: 'z' }] }] } },
    { spec: { ...podSpec, containers: [{ ...podSpec.containers[0], env: [{ name: 'X', value: '1' }, { name: 'Y', value: 'z' }] }, podSpec.containers[1]] } },
  ],
  ['deletes a list element with $patch: delete', { spec: podSpec }, { spec: { containers: [{ name: 'b', $patch: 'delete' }] } }, { spec: { ...podSpec, containers: [podSpec.containers[0]] } }],
  ['replaces lists without a merge key (tolerations)', { spec: podSpec }, { spec: { tolerations: [{ key: 't2' }] } }, { spec: { ...podSpec, tolerations: [{ key: 't2' }] } }],
  ['replaces a list with a $patch: replace element', { spec: podSpec }, { spec: { containers: [{ name: 'z' }, { $patch: 'replace' }] } }, { spec: { ...podSpec, containers: [{ name: 'z' }] } }],
  ['merges conditions by type', { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'X', status: 'False' }] } }, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'X', status: 'False' }] } }],
  ['merges finalizers as a set, in the patch\'s order', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['b', 'a'] } }, { metadata: { finalizers: ['b', 'a'] } }],
  ['puts a new finalizer first', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['b'] } }, { metadata: { finalizers: ['b', 'a'] } }],
  ['deletes from a primitive list', { metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, { metadata: { finalizers: ['b'] } }],
  ['removes map keys with null, as merge patch', { metadata: { annotations: { a: '1', b: '2' } } }, { metadata: { annotations: { a: null } } }, { metadata: { annotations: { b: '2' } } }],
  ['ignores $setElementOrder directives', { spec: { containers: [{ name: 'a' }] } }, { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', image: 'x' }] } }, { spec: { containers: [{ name: 'a', image: 'x' }] } }],
  ['merges service ports by port', { spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } }, { spec: { ports: [{ port: 443, nodePort: 30443 }] } }, { spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https', nodePort: 30443 }] } }],
  ['replaces a map with $patch: replace', { spec: { selector: { a: '1', b: '2' } } }, { spec: { selector: { c: '3', $patch: 'replace' } } }, { spec: { selector: { c: '3' } } }],
];

describe('strategicMergePatch', () => {
  it.each(cases)('%s', (_n, target, patch, want) => {
    const before = structuredClone(target);
    expect(strategicMergePatch(target, patch)).toEqual(want);
    expect(target).toEqual(before);
  });

  it('rejects list elements without the merge key', () => {
    expect(() => strategicMergePatch({ spec: podSpec }, { spec: { containers: [{ image: 'x' }] } })).toThrow(StrategicPatchError);
    expect(() => strategicMergePatch({}, [1])).toThrow(StrategicPatchError);
  });
});

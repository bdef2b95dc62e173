// JSON Patch against the examples of RFC 6902 Appendix A, plus the error kinds the API
// server maps to 400 (malformed) and 422 (cannot apply).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError } from '../../../src/twin/store/json-patch.js';

const rfcCases: [string, unknown, unknown[], unknown][] = [
  ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
  ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
  ['A.8 test success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
  ['A.10 add a nested member', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.14 ~ escaping', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
  ['replace the root', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
  ['annotation key with a slash', { metadata: { annotations: { 'a/b': 'x' } } }, [{ op: 'replace', path: '/metadata/annotations/a~1b', value: '' }], { metadata: { annotations: { 'a/b': '' } } }],
];

describe('applyJsonPatch', () => {
  it.each(rfcCases)('%s', (_name, doc, patch, want) => {
    expect(applyJsonPatch(doc, patch)).toEqual(want);
  });

  const failing: [string, unknown, unknown, 'malformed' | 'failed'][] = [
    ['A.9 test failure', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'failed'],
    ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 'failed'],
    ['remove a missing member', { foo: 'bar' }, [{ op: 'remove', path: '/nope' }], 'failed'],
    ['replace a missing member', { foo: 'bar' }, [{ op: 'replace', path: '/nope', value: 1 }], 'failed'],
    ['index out of range', { a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }], 'failed'],
    // kube-apiserver finds a bad operation only when it applies the patch: 422, not 400.
    ['A.13 invalid op', { foo: 'bar' }, [{ op: 'frob', path: '/foo' }], 'failed'],
    ['missing path', { foo: 'bar' }, [{ op: 'add', value: 1 }], 'failed'],
    ['not an array', { foo: 'bar' }, { op: 'add', path: '/x', value: 1 }, 'malformed'],
    ['an operation that is not an object', { foo: 'bar' }, ['add'], 'malformed'],
  ];

  it('reads a missing value as null', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/x' }])).toEqual({ foo: 'bar', x: null });
  });
  it.each(failing)('%s throws %s', (_name, doc, patch, kind) => {
    try {
      applyJsonPatch(doc, patch);
    } catch (e) {
      expect(e).toBeInstanceOf(JsonPatchError);
      expect((e as JsonPatchError).kind).toBe(kind);
      return;
    }
    throw new Error('expected a JsonPatchError');
  });

  it('never changes its input, and replace-then-test always passes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue()), fc.string({ minLength: 1 }), fc.jsonValue(), (doc, key, value) => {
        const before = structuredClone(doc);
        const path = '/' + key.replace(/~/g, '~0').replace(/\//g, '~1');
        const out = applyJsonPatch(doc, [{ op: 'add', path, value }, { op: 'test', path, value }]) as Record<string, unknown>;
        expect(doc).toEqual(before);
        expect(out[key]).toEqual(value);
      }),
    );
  });
});

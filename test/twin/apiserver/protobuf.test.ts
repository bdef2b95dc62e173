// Protobuf request bodies: the k8s envelope and the kinds kubectl's typed clients post.
// The bytes are built here from the wire format (field numbers of k8s.io/api).
import { describe, expect, it } from 'vitest';
import { decodeProtobufBody } from '../../../src/twin/apiserver/protobuf.js';
import { StatusError } from '../../../src/twin/store/errors.js';

const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
};
const bytes = (num: number, b: Buffer) => Buffer.concat([varint((num << 3) | 2), varint(b.length), b]);
const str = (num: number, s: string) => bytes(num, Buffer.from(s));
const int = (num: number, n: number) => Buffer.concat([varint(num << 3), varint(n)]);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), bytes(1, Buffer.concat([str(1, apiVersion), str(2, kind)])), bytes(2, raw), str(4, 'application/vnd.kubernetes.protobuf')]);

describe('decodeProtobufBody', () => {
  it('decodes a SelfSubjectAccessReview', () => {
    const attrs = Buffer.concat([str(1, 'kube-system'), str(2, 'create'), str(5, 'pods'), str(6, 'exec')]);
    const body = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', Buffer.concat([bytes(1, Buffer.alloc(0)), bytes(2, bytes(1, attrs))]));
    expect(decodeProtobufBody(body)).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'kube-system', verb: 'create', resource: 'pods', subresource: 'exec' } },
    });
  });

  it('decodes an Eviction with delete options, labels and unknown fields skipped', () => {
    const meta = Buffer.concat([str(1, 'drainme'), str(3, 'default'), bytes(11, Buffer.concat([str(1, 'app'), str(2, 'x')])), int(99, 7)]);
    const opts = Buffer.concat([int(1, 30), str(4, 'Background'), str(5, 'All')]);
    const out = decodeProtobufBody(envelope('policy/v1', 'Eviction', Buffer.concat([bytes(1, meta), bytes(2, opts)])));
    expect(out).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'drainme', namespace: 'default', labels: { app: 'x' } },
      deleteOptions: { gracePeriodSeconds: 30, propagationPolicy: 'Background', dryRun: ['All'] },
    });
  });

  it('answers 415 for other kinds and 400 for garbage', () => {
    const other = () => decodeProtobufBody(envelope('v1', 'ConfigMap', Buffer.alloc(0)));
    expect(other).toThrow(StatusError);
    expect(other).toThrow(/send ConfigMap as application\/json/);
    try {
      other();
    } catch (e) {
      expect((e as StatusError).code).toBe(415);
    }
    expect(() => decodeProtobufBody(Buffer.from('{"a":1}'))).toThrow(/k8s envelope/);
    expect(() => decodeProtobufBody(Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), Buffer.from([0x0a, 0x50])]))).toThrow(/truncated/);
  });
});

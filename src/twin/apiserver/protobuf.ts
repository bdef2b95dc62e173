// Protobuf request bodies (application/vnd.kubernetes.protobuf): kubectl's typed clients
// send them for built-in kinds (`kubectl auth can-i`: SelfSubjectAccessReview, `kubectl
// drain`: Eviction). The twin decodes the k8s envelope ("k8s\0" + runtime.Unknown) and
// the few kinds clients post this way, with field numbers from k8s.io/api's generated.proto,
// into the JSON shape the handlers read; any other kind is a 415 naming what to send.
// Answers stay JSON, which those clients accept.
import { StatusError } from '../store/errors.js';

type Scalar = 'string' | 'int64' | 'bool';
interface Field {
  name: string;
  type: Scalar | Schema | 'map';
  repeated?: boolean;
}
interface Schema {
  [num: number]: Field;
}

const typeMeta: Schema = { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } };
const objectMeta: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
};
const preconditions: Schema = { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } };
const deleteOptions: Schema = {
  1: { name: 'gracePeriodSeconds', type: 'int64' },
  2: { name: 'preconditions', type: preconditions },
  3: { name: 'orphanDependents', type: 'bool' },
  4: { name: 'propagationPolicy', type: 'string' },
  5: { name: 'dryRun', type: 'string', repeated: true },
};
const resourceAttributes: Schema = {
  1: { name: 'namespace', type: 'string' },
  2: { name: 'verb', type: 'string' },
  3: { name: 'group', type: 'string' },
  4: { name: 'version', type: 'string' },
  5: { name: 'resource', type: 'string' },
  6: { name: 'subresource', type: 'string' },
  7: { name: 'name', type: 'string' },
};
const nonResourceAttributes: Schema = { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } };

const kinds: Record<string, Schema> = {
  SelfSubjectAccessReview: {
    1: { name: 'metadata', type: objectMeta },
    2: { name: 'spec', type: { 1: { name: 'resourceAttributes', type: resourceAttributes }, 2: { name: 'nonResourceAttributes', type: nonResourceAttributes } } },
  },
  Eviction: { 1: { name: 'metadata', type: objectMeta }, 2: { name: 'deleteOptions', type: deleteOptions } },
  DeleteOptions: deleteOptions,
};

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw malformed('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw malformed(`unsupported wire type ${wire}`);
  }
}

function malformed(why: string): StatusError {
  return new StatusError(400, 'BadRequest', `the body of the request could not be decoded as protobuf: ${why}`);
}

function decode(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const key = Number(r.varint());
    const num = key >> 3;
    const wire = key & 7;
    const f = schema[num];
    if (!f) {
      r.skip(wire);
      continue;
    }
    let v: unknown;
    if (f.type === 'string') v = r.bytes().toString('utf8');
    else if (f.type === 'int64') v = Number(BigInt.asIntN(64, r.varint()));
    else if (f.type === 'bool') v = r.varint() !== 0n;
    else if (f.type === 'map') {
      const entry = decode(r.bytes(), { 1: { name: 'k', type: 'string' }, 2: { name: 'v', type: 'string' } });
      const m = (out[f.name] as Record<string, unknown> | undefined) ?? {};
      m[String(entry.k ?? '')] = entry.v ?? '';
      out[f.name] = m;
      continue;
    } else v = decode(r.bytes(), f.type);
    if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), v];
    else out[f.name] = v;
  }
  return out;
}

/** Decodes a k8s protobuf envelope into the JSON object of its kind. */
export function decodeProtobufBody(buf: Buffer): Record<string, unknown> {
  if (buf.length < 4 || buf.subarray(0, 4).toString('latin1') !== 'k8s\u0000') throw malformed('missing the k8s envelope prefix');
  // runtime.Unknown: 1 typeMeta, 2 raw (the object's own protobuf), 3 encoding, 4 type.
  const r = new Reader(buf.subarray(4));
  let tm: { apiVersion?: string; kind?: string } = {};
  let raw: Buffer = Buffer.alloc(0);
  while (!r.done) {
    const key = Number(r.varint());
    if (key === ((1 << 3) | 2)) tm = decode(r.bytes(), typeMeta) as typeof tm;
    else if (key === ((2 << 3) | 2)) raw = r.bytes();
    else r.skip(key & 7);
  }
  const schema = tm.kind ? kinds[tm.kind] : undefined;
  if (!schema) {
    throw new StatusError(415, 'UnsupportedMediaType', `the twin API server decodes protobuf bodies only for ${Object.keys(kinds).join(', ')}; send ${tm.kind ?? 'this object'} as application/json`);
  }
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...decode(raw, schema) };
}

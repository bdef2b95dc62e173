// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901), as kube-apiserver applies
// `application/json-patch+json`. Hand-written: six operations over plain JSON values; the
// npm packages either mutate their input or disagree with the RFC on edge cases.
// A patch that does not decode (not a list of objects) throws JsonPatchError('malformed')
// (400); an operation that cannot apply (unknown op, missing member, bad pointer, missing
// path, failed test) throws JsonPatchError('failed') (422), as kube-apiserver only finds
// those when it applies the patch.

export class JsonPatchError extends Error {
  constructor(
    readonly kind: 'malformed' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Parses and checks a patch document: 'malformed' if it is not a list of objects, 'failed' for a bad operation. */
export function parseJsonPatch(doc: unknown): Operation[] {
  if (!Array.isArray(doc)) throw new JsonPatchError('malformed', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return doc.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new JsonPatchError('malformed', `operation ${i} is not an object`);
    const o = raw as Record<string, unknown>;
    if (typeof o.op !== 'string' || !ops.has(o.op)) throw new JsonPatchError('failed', `Unexpected kind: ${String(o.op)}`);
    if (typeof o.path !== 'string') throw new JsonPatchError('failed', `operation ${i} (${o.op}) is missing "path"`);
    if ((o.op === 'move' || o.op === 'copy') && typeof o.from !== 'string') throw new JsonPatchError('failed', `operation ${i} (${o.op}) is missing "from"`);
    // A missing value is null, as kube-apiserver's JSON patch library reads it.
    const withValue = (o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o) ? { ...o, value: null } : o;
    return withValue as unknown as Operation;
  });
}

/** Applies a JSON patch to a copy of `doc`; the input is never changed. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  let root = structuredClone(doc);
  for (const op of parseJsonPatch(patch)) root = applyOne(root, op);
  return root;
}

function applyOne(root: unknown, op: Operation): unknown {
  switch (op.op) {
    case 'add':
      return add(root, op.path, structuredClone(op.value));
    case 'remove':
      return remove(root, op.path).root;
    case 'replace': {
      if (op.path === '') return structuredClone(op.value);
      get(root, op.path, 'replace'); // must exist
      const { parent, key } = locate(root, op.path, 'replace');
      if (Array.isArray(parent)) parent[index(parent, key, false, op.path)] = structuredClone(op.value);
      else setOwn(parent, key, structuredClone(op.value));
      return root;
    }
    case 'move': {
      const from = op.from!;
      if (op.path.startsWith(from + '/')) throw new JsonPatchError('failed', `move operation: "from" ${from} is a prefix of "path" ${op.path}`);
      const taken = remove(root, from);
      return add(taken.root, op.path, taken.value);
    }
    case 'copy':
      return add(root, op.path, structuredClone(get(root, op.from!, 'copy')));
    case 'test': {
      const actual = get(root, op.path, 'test', true);
      if (!deepEqual(actual, op.value)) throw new JsonPatchError('failed', `testing value ${op.path} failed: test failed`);
      return root;
    }
  }
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError('failed', `JSON pointer must start with "/": ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(root: unknown, path: string, what: string, allowMissing = false): unknown {
  let cur: unknown = root;
  for (const t of tokens(path)) {
    if (Array.isArray(cur)) {
      const i = /^(0|[1-9]\d*)$/.test(t) ? Number(t) : -1;
      if (i < 0 || i >= cur.length) return miss();
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, t)) {
      cur = (cur as Record<string, unknown>)[t];
    } else return miss();
  }
  return cur;

  function miss(): unknown {
    if (allowMissing) return undefined;
    throw new JsonPatchError('failed', `${what} operation does not apply: doc is missing path: "${path}": missing value`);
  }
}

function locate(root: unknown, path: string, what: string): { parent: Container; key: string } {
  const ts = tokens(path);
  const key = ts.pop()!;
  const parent = get(root, ts.length ? '/' + ts.map(escape).join('/') : '', what);
  if (parent === null || typeof parent !== 'object') {
    throw new JsonPatchError('failed', `${what} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: parent as Container, key };
}

function escape(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

function index(arr: unknown[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return arr.length;
  const i = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : NaN;
  const max = forAdd ? arr.length : arr.length - 1;
  if (!Number.isInteger(i) || i > max) throw new JsonPatchError('failed', `Unable to access invalid index: ${key} (path ${path})`);
  return i;
}

function add(root: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const { parent, key } = locate(root, path, 'add');
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, path), 0, value);
  else setOwn(parent, key, value);
  return root;
}

/** A member named "__proto__" is a member in JSON, not the object's prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function remove(root: unknown, path: string): { root: unknown; value: unknown } {
  if (path === '') return { root: null, value: root };
  const value = get(root, path, 'remove');
  const { parent, key } = locate(root, path, 'remove');
  if (Array.isArray(parent)) parent.splice(index(parent, key, false, path), 1);
  else delete parent[key];
  return { root, value };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

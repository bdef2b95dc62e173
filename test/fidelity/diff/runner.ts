// Replays a differential case (a list of API requests and watches, as data) against one
// API server and records what it answered, normalised. The same case run against the
// real kube-apiserver and against the twin must give equal records; where they do not,
// the difference is a twin bug (or, rarely, a case that depends on timing).
import type { KubeHttpClient, KubeStream } from '../../../src/twin/http-client.js';
import { firstLine, normalize, statusShape, type Json } from './normalize.js';

export interface RequestStep {
  kind: 'request';
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** May hold {ns} and {rv:<capture>} placeholders. */
  path: string;
  body?: unknown;
  contentType?: string;
  /** Save the answer's metadata.resourceVersion under this name. */
  captureRv?: string;
  /** Save the answer's metadata.uid under this name (placeholder {uid:<name>}). */
  captureUid?: string;
  /**
   * Repeat the request until it answers this status (or 15 s pass), then record the last
   * answer: for what a controller finishes later (the garbage collector).
   */
  until?: number;
  /**
   * Record these timestamps as whole seconds from the client's clock, rounded to 5 s: a
   * deletionTimestamp must be "now + grace", which the normalised '<set>' cannot show.
   */
  secondsFromNow?: string[];
  /** Record only these paths of the body ("metadata.finalizers", "spec"); default all. */
  pick?: string[];
  /** For lists: record only the items' names, in the order served. */
  names?: boolean;
}

export interface WatchOpenStep {
  kind: 'watch';
  name: string;
  id: string;
  path: string;
}

export interface WatchCollectStep {
  kind: 'collect';
  name: string;
  id: string;
  /** Stop after this many events (or when the stream ends). */
  count: number;
  timeoutMs?: number;
}

export type Step = RequestStep | WatchOpenStep | WatchCollectStep;

export interface DiffCase {
  name: string;
  /** What behaviour the case pins down (shown when it differs). */
  about: string;
  steps: Step[];
}

export interface StepRecord {
  step: string;
  status: number;
  /** The Status shape for failures (reason, code, details), else the normalised body. */
  body: Json;
  /** Status message, kept apart: wording may differ where reason and code agree. */
  message?: string;
  events?: Json[];
}

interface OpenWatch {
  stream: KubeStream;
  events: unknown[];
  status?: number;
  wake?: () => void;
}

function fill(s: string, vars: Map<string, string>): string {
  return s.replace(/\{(ns|(?:rv|uid):[\w-]+)\}/g, (m, key: string) => {
    const v = vars.get(key);
    if (v === undefined) throw new Error(`case placeholder ${m} has no value yet`);
    return v;
  });
}

function fillDeep(v: unknown, vars: Map<string, string>): unknown {
  if (typeof v === 'string') return fill(v, vars);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, vars));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x, vars)]));
  return v;
}

function pickPaths(body: unknown, paths: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    let cur: unknown = body;
    for (const part of p.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
    out[p] = cur;
  }
  return out;
}

function shapeOf(step: RequestStep, body: unknown): unknown {
  if (step.names) return ((body as { items?: { metadata?: { name?: string } }[] }).items ?? []).map((i) => i.metadata?.name ?? null);
  const shape = step.pick ? pickPaths(body, step.pick) : body;
  if (!step.secondsFromNow) return shape;
  const stamps = pickPaths(body, step.secondsFromNow);
  const fromNow = Object.fromEntries(
    Object.entries(stamps).map(([p, v]) => [`${p} - now (s)`, typeof v === 'string' ? Math.round((Date.parse(v) - Date.now()) / 5000) * 5 : null]),
  );
  return { ...(shape as object), ...fromNow };
}

async function send(client: KubeHttpClient, step: RequestStep, vars: Map<string, string>): Promise<Awaited<ReturnType<KubeHttpClient['request']>>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await client.request(step.method, fill(step.path, vars), {
      body: step.body === undefined ? undefined : fillDeep(step.body, vars),
      contentType: step.contentType,
    });
    if (step.until === undefined || res.status === step.until || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function eventShape(ev: unknown): Json {
  const e = ev as { type?: string; object?: { kind?: string; metadata?: { name?: string } } };
  if (e.type === 'ERROR') return { type: 'ERROR', status: statusShape(e.object) };
  return { type: e.type ?? null, kind: e.object?.kind ?? null, name: e.object?.metadata?.name ?? null };
}

/**
 * Some messages quote an object's uid ("does not match the UID in record (…)"); a pod spec
 * change is refused with a go-cmp diff after the first line, whose layout go-cmp makes
 * unstable on purpose, so only the first line is kept.
 */
function withoutUids(message: string): string {
  return firstLine(message).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>');
}

export interface RunOptions {
  /** Called once the namespace exists (the real server needs its default ServiceAccount before pods). */
  namespaceReady?: (client: KubeHttpClient, ns: string) => Promise<void>;
}

/** Runs the case in namespace `ns` (created first) and returns one record per step. */
export async function runCase(client: KubeHttpClient, c: DiffCase, ns: string, opts: RunOptions = {}): Promise<StepRecord[]> {
  const vars = new Map<string, string>([['ns', ns]]);
  const watches = new Map<string, OpenWatch>();
  const records: StepRecord[] = [];
  await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  await opts.namespaceReady?.(client, ns);
  try {
    for (const step of c.steps) {
      if (step.kind === 'request') {
        const res = await send(client, step, vars);
        const ok = res.status >= 200 && res.status < 300;
        const meta = (res.body as { metadata?: { resourceVersion?: string; uid?: string } } | undefined)?.metadata;
        if (step.captureRv && ok && meta?.resourceVersion) vars.set(`rv:${step.captureRv}`, meta.resourceVersion);
        if (step.captureUid && ok && meta?.uid) vars.set(`uid:${step.captureUid}`, meta.uid);
        const failure = statusShape(res.body);
        const rec: StepRecord = { step: step.name, status: res.status, body: ok && !failure ? normalize(shapeOf(step, res.body)) : failure };
        if (!ok) rec.message = withoutUids((res.body as { message?: string } | undefined)?.message ?? res.text.slice(0, 200));
        records.push(rec);
      } else if (step.kind === 'watch') {
        const w: OpenWatch = { events: [], stream: undefined as unknown as KubeStream };
        w.stream = client.stream(
          fill(step.path, vars),
          (ev) => {
            w.events.push(ev);
            w.wake?.();
          },
          (err) => {
            w.events.push({ type: 'ERROR', object: { kind: 'Status', code: (err as { code?: number }).code, reason: (err as { reason?: string }).reason } });
            w.wake?.();
          },
        );
        void w.stream.done.then((status) => {
          w.status = status;
          w.wake?.();
        });
        watches.set(step.id, w);
        // Let the server register the watch before the next step changes anything.
        await new Promise((r) => setTimeout(r, 300));
      } else {
        const w = watches.get(step.id);
        if (!w) throw new Error(`case ${c.name}: collect of unknown watch ${step.id}`);
        const deadline = Date.now() + (step.timeoutMs ?? 10_000);
        while (w.events.length < step.count && w.status === undefined && Date.now() < deadline) {
          await new Promise<void>((r) => {
            w.wake = r;
            setTimeout(r, 200);
          });
        }
        w.stream.close();
        records.push({ step: step.name, status: w.status ?? 200, body: null, events: w.events.slice(0, step.count).map(eventShape) });
      }
    }
  } finally {
    for (const w of watches.values()) w.stream.close();
    await client.request('DELETE', `/api/v1/namespaces/${ns}`);
  }
  return records;
}

/**
 * kube-apiserver's ServiceAccount admission rejects pods (403) until the controller-manager
 * made the namespace's "default" ServiceAccount; wait for it so cases are not racy.
 */
export async function waitForDefaultServiceAccount(client: KubeHttpClient, ns: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await client.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`namespace ${ns}: no default ServiceAccount after 30 s (is kube-controller-manager running?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

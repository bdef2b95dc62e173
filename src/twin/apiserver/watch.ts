// Watch streams as kube-apiserver serves them: HTTP 200, newline-delimited JSON events
// ({"type","object"}), initial ADDED events without a resourceVersion, replay after one,
// an ERROR event carrying a 410 Expired Status for a version older than the history,
// periodic BOOKMARKs when allowed, sendInitialEvents' closing bookmark, timeoutSeconds,
// Table-shaped events for `kubectl get -w`, and a fault that cuts streams early.
import { StatusError } from '../store/errors.js';
import { apiVersionOf, type KObject, type WatchEvent } from '../store/types.js';
import type { ResourceContext } from './context.js';
import { checkFieldSelector } from './field-labels.js';
import { wantsTable } from './http.js';
import { isTrue } from './request-info.js';
import { objectJson } from './serialize.js';
import { tableJson } from './table/table.js';

export interface WatchStream {
  /** Ends the stream cleanly, as on a timeout. */
  end(): void;
  /** Cuts the connection (clients see a reset). */
  destroy(): void;
}

export interface WatchHooks {
  bookmarkIntervalMs: number;
  dropAfterMs: number | undefined;
  register(s: WatchStream): () => void;
}

const defaultTimeoutMs = 30 * 60 * 1000;

export function handleWatch(c: ResourceContext, hooks: WatchHooks): void {
  const q = c.query;
  const t = c.type;
  checkFieldSelector(t, q.get('fieldSelector'));
  const fieldSelectors = [q.get('fieldSelector') ?? ''].filter(Boolean);
  if (c.info.name) fieldSelectors.push(`metadata.name=${c.info.name}`); // legacy /watch/…/<name>
  const opts = {
    namespace: t.namespaced ? c.info.namespace : undefined,
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: fieldSelectors.join(',') || undefined,
  };
  const initialEvents = isTrue(q.get('sendInitialEvents'));
  if (initialEvents && (q.get('resourceVersionMatch') !== 'NotOlderThan' || !isTrue(q.get('allowWatchBookmarks')))) {
    throw new StatusError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true');
  }
  const rv = initialEvents ? undefined : q.get('resourceVersion') ?? undefined;
  const asTable = wantsTable(c.req.headers.accept);
  const res = c.res;

  res.writeHead(200, {
    'Content-Type': asTable ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let firstTable = true;
  const write = (ev: { type: string; object: unknown }) => {
    if (res.destroyed || res.writableEnded) return;
    res.write(JSON.stringify(ev) + '\n');
  };
  const send = (ev: WatchEvent) => {
    if (res.destroyed || res.writableEnded) return;
    if (asTable && ev.type !== 'BOOKMARK') {
      const table = JSON.parse(tableJson(t, [ev.object], { now: c.clock.now(), includeObject: 'Metadata', resourceVersion: ev.object.metadata.resourceVersion ?? '' })) as Record<string, unknown>;
      if (!firstTable) table.columnDefinitions = [];
      firstTable = false;
      write({ type: ev.type, object: table });
      return;
    }
    res.write(`{"type":"${ev.type}","object":${objectJson(ev.object)}}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write({
      type: 'BOOKMARK',
      object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: c.store.resourceVersion, ...(annotations ? { annotations } : {}) } },
    });

  let unsubscribe: () => void = () => {};
  try {
    unsubscribe = c.store.watch(t, { ...opts, ...(rv !== undefined ? { resourceVersion: rv } : {}) }, (ev) => send(ev as WatchEvent<KObject>));
  } catch (e) {
    if (e instanceof StatusError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone')) {
      write({ type: 'ERROR', object: { ...e.toStatus(), code: 410, reason: 'Expired' } });
      res.end();
      return;
    }
    throw e;
  }
  if (initialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });

  const timers: NodeJS.Timeout[] = [];
  const timeoutS = Number(q.get('timeoutSeconds') ?? '');
  timers.push(setTimeout(() => stream.end(), timeoutS > 0 ? timeoutS * 1000 : defaultTimeoutMs));
  if (isTrue(q.get('allowWatchBookmarks')) && hooks.bookmarkIntervalMs > 0) {
    timers.push(setInterval(() => bookmark(), hooks.bookmarkIntervalMs));
  }
  if (hooks.dropAfterMs !== undefined && hooks.dropAfterMs >= 0) timers.push(setTimeout(() => stream.destroy(), hooks.dropAfterMs));

  let unregister: () => void = () => {};
  const cleanup = () => {
    for (const tm of timers) clearTimeout(tm);
    unsubscribe();
    unregister();
  };
  const stream: WatchStream = {
    end: () => {
      cleanup();
      if (!res.writableEnded) res.end();
    },
    destroy: () => {
      cleanup();
      res.socket?.destroy();
      res.destroy();
    },
  };
  unregister = hooks.register(stream);
  res.on('close', cleanup);
}

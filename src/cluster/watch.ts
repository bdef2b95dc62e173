// One watch connection: GET …?watch=true, newline-delimited JSON events, until the server
// closes it (timeoutSeconds), the caller stops it, or it goes silent for too long (a node
// that lost power leaves TCP half-open; bookmarks arrive every minute or so, so silence
// past the stall limit means the connection is dead). Reconnecting is the informer's job.
import { createInterface } from 'node:readline';
import type { KObject } from '../common/harvester-types.js';
import type { Transport } from './transport.js';
import type { StatusObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface RawWatchEvent {
  type: WatchEventType;
  object: KObject | StatusObject;
}

export interface WatchRequest {
  path: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side lifetime of the watch. */
  timeoutSeconds?: number;
  /** Wall ms without a byte before the connection counts as dead. */
  stallMs?: number;
  signal?: AbortSignal;
  /** Called once the server accepted the watch (headers 200). */
  onOpen?: () => void;
}

export type WatchEnd = { reason: 'closed' | 'stopped' | 'stalled' };

/** Streams events to onEvent; resolves when the stream ends, rejects on connection errors or when onEvent throws. */
export async function watchOnce(transport: Transport, req: WatchRequest, onEvent: (ev: RawWatchEvent) => void): Promise<WatchEnd> {
  const timeoutSeconds = req.timeoutSeconds ?? 300;
  const res = await transport.stream({
    method: 'GET',
    path: req.path,
    query: {
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion: req.resourceVersion,
      labelSelector: req.labelSelector,
      fieldSelector: req.fieldSelector,
      timeoutSeconds,
    },
    signal: req.signal,
  });
  req.onOpen?.();
  const stallMs = req.stallMs ?? (timeoutSeconds + 30) * 1000;
  return new Promise<WatchEnd>((resolve, reject) => {
    let ended = false;
    let stall: NodeJS.Timeout | undefined;
    const end = (r: WatchEnd | Error) => {
      if (ended) return;
      ended = true;
      clearTimeout(stall);
      req.signal?.removeEventListener('abort', onAbort);
      res.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const arm = () => {
      clearTimeout(stall);
      stall = setTimeout(() => end({ reason: 'stalled' }), stallMs);
    };
    const onAbort = () => end({ reason: 'stopped' });
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    res.on('data', arm);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (ended || line.trim() === '') return;
      let ev: RawWatchEvent;
      try {
        ev = JSON.parse(line) as RawWatchEvent;
      } catch {
        return end(new Error(`watch ${req.path}: unparseable event line`));
      }
      try {
        onEvent(ev);
      } catch (e) {
        end(e instanceof Error ? e : new Error(String(e)));
      }
    });
    lines.on('close', () => end({ reason: 'closed' }));
    // readline re-emits its input's errors; unheard, they would crash the process.
    lines.on('error', (e) => end(e));
    res.on('error', (e) => end(e));
    res.on('aborted', () => end({ reason: 'closed' }));
  });
}

// Leader-change faults: at a modelled moment after the twin started, or on the first event
// of the log that matches (e.g. the first node.power off), etcd leadership moves — to the
// named node or to another member — as an unplanned election would.
import type { EtcdModel } from '../etcd/model.js';
import { matches, type EventLog, type TwinEventType } from '../events.js';
import type { LeaderChangeFault, TwinFaults } from '../faults.js';
import type { Timers } from './timers.js';

export function armLeaderChanges(faults: TwinFaults, etcd: EtcdModel, events: EventLog, timers: Timers): () => void {
  const stops: (() => void)[] = [];
  const arm = (list: readonly LeaderChangeFault[]) => {
    for (const s of stops.splice(0)) s();
    for (const f of list) {
      const fire = (why: string) => {
        const ok = etcd.forceLeaderChange(f.to);
        events.record({ type: 'fault', detail: `leader change ${ok ? 'done' : 'not possible'} (${why})`, ...(f.to ? { node: f.to } : {}) });
      };
      if (f.atSeconds !== undefined) stops.push(timers.after(f.atSeconds * 1000, () => fire(`at ${f.atSeconds}s`)));
      if (f.on) {
        const q = { type: f.on.type as TwinEventType, ...(f.on.node ? { node: f.on.node } : {}), ...(f.on.object ? { object: f.on.object } : {}), ...(f.on.detail ? { detail: f.on.detail } : {}) };
        let done = false;
        const stop = events.subscribe((ev) => {
          if (done || ev.type === 'fault' || !matches(ev, q)) return;
          done = true;
          stop();
          // after the triggering change has played out
          queueMicrotask(() => fire(`on ${ev.type}${ev.node ? ` ${ev.node}` : ''}`));
        });
        stops.push(stop);
      }
    }
  };
  arm(faults.current.leaderChanges);
  const unsub = faults.onChange((spec) => arm(spec.leaderChanges));
  return () => {
    unsub();
    for (const s of stops.splice(0)) s();
  };
}

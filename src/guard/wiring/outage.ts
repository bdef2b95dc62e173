// The outage behind a guard-triggered shutdown, from the guard journal, for the report: the
// episode is everything from the end of the previous one (the previous trigger or restart)
// to the outcome of the restart that followed this shutdown. Links are the guard.run
// records; a shutdown the guard did not start has no outage.
import type { OutageEvent, OutageTimeline } from '../../report/outage.js';
import { readGuardJournal, type GuardRecord } from './guard-journal.js';

const iso = (ms: number) => new Date(ms).toISOString();

type Rec<T extends GuardRecord['type']> = Extract<GuardRecord, { type: T }>;

/** Reads `<clusterDir>/guard.jsonl` and builds the outage of `shutdownRunId`, if the guard ran it. */
export function outageFromFile(file: string, shutdownRunId: string): OutageTimeline | undefined {
  return outageFor(readGuardJournal(file).records, shutdownRunId);
}

export function outageFor(records: readonly GuardRecord[], shutdownRunId: string): OutageTimeline | undefined {
  const runAt = records.findIndex((r) => r.type === 'guard.run' && r.action === 'shutdown' && r.runId === shutdownRunId);
  if (runAt < 0) return undefined;
  const triggerAt = lastIndex(records, runAt, (r) => r.type === 'guard.decision' && r.decision === 'trigger-shutdown');
  const from = lastIndex(records, triggerAt >= 0 ? triggerAt : runAt, (r) => (r.type === 'guard.decision' && r.decision === 'trigger-shutdown') || (r.type === 'guard.action' && r.action === 'restart' && r.outcome !== 'started')) + 1;
  const next = records.findIndex((r, i) => i > runAt && r.type === 'guard.decision' && r.decision === 'trigger-shutdown');
  const restartEnd = records.findIndex((r, i) => i > runAt && (next < 0 || i < next) && r.type === 'guard.action' && r.action === 'restart' && r.outcome !== 'started' && r.outcome !== 'skipped');
  const to = restartEnd >= 0 ? restartEnd + 1 : next >= 0 ? next : records.length;
  // The outage begins when the UPS went on battery (not at the end of the previous one).
  const firstOb = records.findIndex((r, i) => i >= from && i < to && r.type === 'guard.ups' && r.event === 'transition' && (r.to === 'on-battery' || r.to === 'low-battery'));
  const episode = records.slice(firstOb >= 0 && firstOb <= runAt ? firstOb : from, to);

  const trigger = triggerAt >= 0 ? (records[triggerAt] as Rec<'guard.decision'> & { decision: 'trigger-shutdown' }) : undefined;
  const onBattery = episode.find((r): r is Rec<'guard.ups'> => r.type === 'guard.ups' && r.event === 'transition' && (r.to === 'on-battery' || r.to === 'low-battery'));
  const downAction = episode.find((r): r is Rec<'guard.action'> => r.type === 'guard.action' && r.action === 'shutdown' && r.outcome !== 'started');
  const clusterDown = downAction?.outcome === 'finished' ? downAction.at : undefined;
  const stopped = episode.find((r): r is Rec<'guard.stopped'> => r.type === 'guard.stopped' && r.runId === shutdownRunId);
  const restartTrigger = episode.findIndex((r) => r.type === 'guard.decision' && r.decision === 'trigger-restart');
  const onlineBefore = (end: number) => lastIndex(episode, end, (r) => r.type === 'guard.ups' && r.event === 'transition' && r.to === 'online');
  const backIdx = restartTrigger >= 0 ? onlineBefore(restartTrigger) : episode.findIndex((r) => r.type === 'guard.ups' && r.event === 'transition' && r.to === 'online' && r.at >= (trigger?.at ?? 0));
  const restarted = episode.find((r): r is Rec<'guard.action'> => r.type === 'guard.action' && r.action === 'restart' && r.outcome === 'finished');
  const batteryEmpty = trigger && trigger.remainingMs !== null ? trigger.at + trigger.remainingMs : undefined;
  const ups = [...records.slice(0, to)].reverse().find((r): r is Rec<'guard.start'> => r.type === 'guard.start')?.ups ?? 'unknown UPS';

  return {
    ups,
    onBatteryAt: onBattery ? iso(onBattery.at) : null,
    triggeredAt: trigger ? iso(trigger.at) : null,
    trigger: trigger?.reason ?? null,
    plan: trigger
      ? {
          estimateMs: trigger.plan.estimateMs,
          budgetMs: trigger.budgetMs,
          fits: trigger.plan.fits,
          slackMs: trigger.plan.slackMs,
          vmStopParallelism: trigger.plan.options.vmStopParallelism,
          guestGraceSeconds: trigger.plan.options.guestGraceSeconds,
          forceOff: trigger.plan.options.forceOff,
          skipped: trigger.plan.skipped,
          changes: trigger.plan.changes,
        }
      : null,
    batteryEmptyAt: batteryEmpty !== undefined ? iso(batteryEmpty) : null,
    clusterDownAt: clusterDown !== undefined ? iso(clusterDown) : null,
    marginMs: batteryEmpty !== undefined && clusterDown !== undefined ? batteryEmpty - clusterDown : null,
    powerBackAt: backIdx >= 0 ? iso(episode[backIdx]!.at) : null,
    restartedAt: restarted ? iso(restarted.at) : null,
    shutdownStopped: stopped !== undefined,
    stoppedAfterStep: stopped?.afterStep ?? null,
    events: episode.flatMap(eventOf),
  };
}

function lastIndex<T>(xs: readonly T[], before: number, pred: (x: T) => boolean): number {
  for (let i = before - 1; i >= 0; i--) if (pred(xs[i]!)) return i;
  return -1;
}

function eventOf(r: GuardRecord): OutageEvent[] {
  const at = iso(r.at);
  switch (r.type) {
    case 'guard.start':
      return [{ at, what: 'guard started', detail: `watching ${r.ups}, phase ${r.phase}` }];
    case 'guard.stop':
      return [{ at, what: 'guard stopped', detail: `phase ${r.phase}` }];
    case 'guard.ups': {
      const s = r.event === 'comm-lost' ? r.last : r.sample;
      const sample = s ? `${s.status}${s.runtimeS !== null ? `, runtime ${s.runtimeS} s` : ''}${s.chargePct !== null ? `, charge ${s.chargePct} %` : ''}` : '';
      if (r.event === 'transition') return [{ at, what: `UPS ${r.to}`, detail: sample }];
      if (r.event === 'comm-lost') return [{ at, what: 'UPS unreachable', detail: r.reason }];
      return [{ at, what: 'UPS reachable again', detail: `after ${Math.round(r.lostForMs / 1000)} s; ${sample}` }];
    }
    case 'guard.decision':
      if (r.decision === 'wait') return [];
      if (r.decision === 'alarm') return [{ at, what: 'alarm', detail: r.message }];
      if (r.decision === 'trigger-shutdown') return [{ at, what: 'shutdown triggered', detail: `${r.reason}; budget ${Math.round(r.budgetMs / 1000)} s` }];
      if (r.decision === 'trigger-restart') return [{ at, what: 'restart triggered', detail: r.reason }];
      return [{ at, what: 'shutdown asked to stop at its next step boundary', detail: r.reason }];
    case 'guard.action':
      return [{ at, what: `${r.action} ${r.outcome}`, ...(r.detail ? { detail: r.detail } : {}) }];
    case 'guard.run':
      return [{ at, what: `${r.action} run ${r.runId}${r.resumed ? ' resumed' : ''}`, detail: r.partial ? 'restoring what a stopped shutdown recorded' : r.runDir }];
    case 'guard.stopped':
      return [{ at, what: 'shutdown stopped between steps', detail: `after ${r.afterStep ?? 'its start'}: power came back` }];
    case 'guard.operator':
      return [{ at, what: 'operator needed', detail: r.message }];
    case 'guard.inventory':
      return [];
  }
}

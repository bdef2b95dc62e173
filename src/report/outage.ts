// The power outage behind a guard-triggered shutdown, as the report shows it: when the
// UPS went on battery, why and when the guard shut down and with which plan, when the
// battery would have run out, when the cluster was down (the margin between the two), when
// power came back and the restart ran. Plain data (ISO times, like RunTimeline): the guard
// builds it from its own journal; the report only renders it.
import { formatDuration, formatTime } from './timeline.js';
import type { Table } from './report-view.js';

export interface OutageEvent {
  at: string;
  /** "UPS on battery", "shutdown triggered", "restart finished", … */
  what: string;
  detail?: string;
}

export interface OutagePlan {
  estimateMs: number;
  budgetMs: number;
  fits: boolean;
  slackMs: number;
  vmStopParallelism: number;
  guestGraceSeconds: number;
  forceOff: boolean;
  /** Optional steps the plan left out, with the time each saved. */
  skipped: { id: string; ms: number }[];
  /** Reductions from the unhurried plan, in the order applied. */
  changes: string[];
}

export interface OutageTimeline {
  ups: string;
  onBatteryAt: string | null;
  triggeredAt: string | null;
  trigger: string | null;
  plan: OutagePlan | null;
  /** When the battery would have been empty, from the runtime the UPS reported at the trigger. */
  batteryEmptyAt: string | null;
  /** When the shutdown finished (or stopped because power came back). */
  clusterDownAt: string | null;
  /** batteryEmptyAt − clusterDownAt: how much battery was left when the cluster was down. */
  marginMs: number | null;
  powerBackAt: string | null;
  restartedAt: string | null;
  /** Power came back during the shutdown: the guard stopped it after this step (null: before the first). */
  shutdownStopped: boolean;
  stoppedAfterStep: string | null;
  events: OutageEvent[];
}

export function outageTables(o: OutageTimeline): Table[] {
  const plan = o.plan;
  const summary: [string, string][] = [
    ['UPS', o.ups],
    ['On battery', formatTime(o.onBatteryAt)],
    ['Shutdown triggered', o.triggeredAt ? `${formatTime(o.triggeredAt)}: ${o.trigger ?? ''}` : '—'],
    ...(plan
      ? ([
          ['Plan', `${plan.fits ? 'fits' : 'does NOT fit'}: ~${formatDuration(plan.estimateMs)} estimated for ${formatDuration(plan.budgetMs)} of battery (slack ${formatDuration(Math.abs(plan.slackMs))}${plan.slackMs < 0 ? ' short' : ''})`],
          ['Plan options', `VM stop parallelism ${plan.vmStopParallelism}, guest grace ${plan.guestGraceSeconds} s${plan.forceOff ? ', force-off' : ''}`],
          ['Skipped steps', plan.skipped.length ? plan.skipped.map((s) => `${s.id} (~${formatDuration(s.ms)})`).join(', ') : 'none'],
          ['Reductions', plan.changes.length ? plan.changes.join('; ') : 'none (full plan)'],
        ] as [string, string][])
      : []),
    ['Battery empty (estimated)', formatTime(o.batteryEmptyAt)],
    ['Cluster down', o.shutdownStopped ? `${formatTime(o.clusterDownAt)} (stopped after ${o.stoppedAfterStep ?? 'its start'}: power came back)` : formatTime(o.clusterDownAt)],
    ['Margin', o.marginMs === null ? '—' : o.marginMs >= 0 ? `${formatDuration(o.marginMs)} of battery left` : `${formatDuration(-o.marginMs)} too late`],
    ['Power back', formatTime(o.powerBackAt)],
    ['Restarted', formatTime(o.restartedAt)],
  ];
  return [
    { id: 'outage', caption: 'Power outage', columns: ['', ''], rows: summary },
    { id: 'outage-events', caption: 'What the guard saw and did', columns: ['Time', 'Event', 'Detail'], rows: o.events.map((e) => [formatTime(e.at), e.what, e.detail ?? '']), nowrap: [0] },
  ];
}

// What the guard knows about a UPS at one instant: the raw status tokens turned into a
// power state, plus battery runtime and charge. Pure, shared by the monitor and the policy.
import { FatalError } from '../common/errors.js';

/** low-battery covers "OB LB" and FSD (the primary upsmon ordered a shutdown). */
export type PowerState = 'online' | 'on-battery' | 'low-battery' | 'unknown';

export interface UpsSample {
  /** Modelled epoch ms of the poll. */
  at: number;
  /** ups.status tokens: OL, OB, LB, CHRG, DISCHRG, FSD, BYPASS, … */
  status: string[];
  power: PowerState;
  /** battery.runtime in seconds, when the UPS reports it. */
  runtimeS?: number;
  /** battery.charge in percent, when the UPS reports it. */
  chargePct?: number;
}

/** One poll's outcome as the policy sees it. */
export type UpsObservation =
  | { at: number; comm: 'ok'; sample: UpsSample }
  | { at: number; comm: 'lost'; since: number; reason: string; last?: UpsSample };

/**
 * FSD wins (it is an order); OB with LB is low battery; OL with LB is still online (the
 * battery is low but the mains feed the load, e.g. recharging after an outage). A status
 * without OL or OB (WAIT, OFF, a bare BYPASS) is unknown: neither shut down nor restart on it.
 */
export function classifyStatus(tokens: readonly string[]): PowerState {
  const has = (t: string) => tokens.includes(t);
  if (has('FSD')) return 'low-battery';
  if (has('OB')) return has('LB') ? 'low-battery' : 'on-battery';
  if (has('OL')) return 'online';
  return 'unknown';
}

/** Builds a sample from upsd variables; a missing ups.status is an error (no data). */
export function sampleFromVars(vars: ReadonlyMap<string, string>, at: number, label: string): UpsSample {
  const raw = vars.get('ups.status');
  if (raw === undefined || raw.trim() === '') {
    throw new FatalError(`UPS ${label} reports no ups.status`, 'Check the UPS driver; the guard cannot judge the power without it');
  }
  const status = raw.trim().split(/\s+/);
  const sample: UpsSample = { at, status, power: classifyStatus(status) };
  const runtimeS = numberVar(vars.get('battery.runtime'));
  const chargePct = numberVar(vars.get('battery.charge'));
  if (runtimeS !== undefined) sample.runtimeS = runtimeS;
  if (chargePct !== undefined) sample.chargePct = chargePct;
  return sample;
}

function numberVar(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** "OB DISCHRG, runtime 1200 s, charge 90 %" for logs and alarms. */
export function describeSample(s: UpsSample): string {
  const parts = [s.status.join(' ')];
  if (s.runtimeS !== undefined) parts.push(`runtime ${s.runtimeS} s`);
  if (s.chargePct !== undefined) parts.push(`charge ${s.chargePct} %`);
  return parts.join(', ');
}

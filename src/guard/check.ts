// `fallow guard check`: proves a guard configuration works before the service is enabled:
// the password can be read, upsd answers, the login is accepted, and the UPS reports what
// the policy needs. Builds plain data; the renderer is separate.
import type { Clock } from '../common/clock.js';
import { loadCredentials } from './credentials.js';
import type { GuardConfig } from './config.js';
import { NutClient, formatUpsTarget } from './nut-client.js';
import { sampleFromVars, type PowerState } from './ups-state.js';

export interface GuardCheck {
  ups: string;
  /** "monuser (LOGIN accepted)" or "anonymous (no credential check)" */
  login: string;
  status: string;
  power: PowerState;
  runtimeS: number | null;
  chargePct: number | null;
  /** What the policy cannot do with this UPS (no runtime, no charge, unknown status). */
  warnings: string[];
  policy: string;
}

/** Throws the client's errors as they are: usage (credentials, UPS name) or unreachable. */
export async function checkGuard(cfg: GuardConfig, clock: Clock, env: NodeJS.ProcessEnv = process.env): Promise<GuardCheck> {
  const credentials = cfg.credentials ? await loadCredentials(cfg.credentials, env) : undefined;
  const client = new NutClient({ target: cfg.target, credentials, clock, timeoutMs: cfg.timeoutMs });
  try {
    await client.open();
    const sample = sampleFromVars(await client.listVars(), clock.now(), client.label);
    const p = cfg.policy;
    const warnings: string[] = [];
    if (sample.runtimeS === undefined) warnings.push('no battery.runtime: only low battery and maxOnBatterySeconds can trigger a shutdown');
    if (sample.chargePct === undefined && p.restartMinChargePct > 0) warnings.push('no battery.charge: the automatic restart can never start (set restart.minChargePercent: 0)');
    if (sample.power === 'unknown') warnings.push(`status "${sample.status.join(' ')}" is neither OL nor OB: the guard takes no action on it`);
    return {
      ups: formatUpsTarget(cfg.target),
      login: credentials ? `${credentials.username} (LOGIN accepted)` : 'anonymous (no credential check)',
      status: sample.status.join(' '),
      power: sample.power,
      runtimeS: sample.runtimeS ?? null,
      chargePct: sample.chargePct ?? null,
      warnings,
      policy: [
        `margin ${p.safetyMarginMs / 1000} s`,
        p.maxOnBatteryMs !== undefined ? `max on battery ${p.maxOnBatteryMs / 1000} s` : 'no on-battery limit',
        p.lowBatteryTriggers ? 'low battery triggers' : 'low battery alone does not trigger',
        `restart at ≥ ${p.restartMinChargePct} % for ${p.restartStableMs / 1000} s`,
        `poll every ${cfg.pollIntervalMs / 1000} s`,
      ].join('; '),
    };
  } finally {
    await client.close();
  }
}

export function renderGuardCheck(c: GuardCheck): string {
  const rows: [string, string][] = [
    ['UPS', c.ups],
    ['login', c.login],
    ['status', `${c.status} (${c.power})`],
    ['runtime', c.runtimeS === null ? 'not reported' : `${c.runtimeS} s`],
    ['charge', c.chargePct === null ? 'not reported' : `${c.chargePct} %`],
    ['policy', c.policy],
    ...c.warnings.map((w): [string, string] => ['warning', w]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}   ${v}`).join('\n') + '\n';
}

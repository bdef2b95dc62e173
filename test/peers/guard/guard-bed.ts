// The guard end to end: a twin cluster with its power fronts (SSH daemons, Redfish BMCs,
// the power inventory), a real upsd + dummy-ups, a GuardConfig pointing at both, and
// `fallow guard run` (runGuardService, the command's own code) on a CliContext whose clock
// is the twin's.
//
// How the clocks relate: the twin, the guard (its polls, timers and journal), the runbooks
// and the BatteryPlayer all run on the twin's ScaledClock (FALLOW_CLOCK), so one modelled
// second means the same to all of them. The UPS's battery.runtime is in modelled seconds:
// the player writes runtime = R0 − (modelled time since the outage began), so the battery
// is empty at outageStart + R0, on the clock the twin records node power-offs with. The
// only wall-time link is dummy-ups, which re-reads its file about once a wall second: at
// scale S the guard can see a runtime up to ~2·S modelled seconds stale (optimistic), which
// the safety margin must cover — the configs below keep it well above that.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CliContext, type GlobalOptions } from '../../../src/cli/context.js';
import type { GuardConfigDoc } from '../../../src/guard/config.js';
import type { GuardResult } from '../../../src/guard/guard.js';
import { readGuardJournal, guardJournalPath, type GuardRecord } from '../../../src/guard/wiring/guard-journal.js';
import { runGuardService } from '../../../src/guard/wiring/service.js';
import { clusterDirOf } from '../../../src/journal/paths.js';
import { startPowerFronts, type PowerFronts } from '../../../src/twin/fronts/fronts.js';
import { TwinNodeNetwork } from '../../../src/twin/node-network/model.js';
import { startTwin, type Twin } from '../../../src/twin/runtime.js';
import { upsPassword, upsUser, type Upsd } from './upsd.js';

export interface GuardRun {
  done: Promise<GuardResult>;
  /** SIGTERM: stop polling, let a running action stop after its current act. */
  stop(): Promise<GuardResult>;
  stdout: () => string;
  stderr: () => string;
}

export interface GuardBed {
  twin: Twin;
  fronts: PowerFronts;
  dir: string;
  stateDir: string;
  ctx: CliContext;
  g: GlobalOptions;
  battery: BatteryPlayer;
  writeConfig(doc?: Partial<GuardConfigDoc>): string;
  start(configPath: string): GuardRun;
  records(): GuardRecord[];
  close(): Promise<void>;
}

export async function startGuardBed(upsd: Upsd, o: { scale: number; bmc?: 'redfish' | 'none' }): Promise<GuardBed> {
  const dir = mkdtempSync(join(tmpdir(), 'fallow-guard-bed-'));
  const twin = await startTwin({ scenarioPath: 'default', scale: o.scale, stateDir: join(dir, 'twin') });
  // The nodes answer the restart's network re-checks over SSH like a healthy, unmoved site.
  const fronts = await startPowerFronts(twin.power, twin.scenario.nodes.map((n) => ({ name: n.name })), { dir: join(dir, 'power'), bmc: o.bmc ?? 'redfish', sshCommands: new TwinNodeNetwork(twin.api).handler });
  const stateDir = join(dir, 'state');
  const out = { stdout: '', stderr: '' };
  const ctx = new CliContext(
    { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: { FALLOW_CLOCK: twin.clock.toEnv(), HOME: dir } },
    'fallow',
  );
  const g: GlobalOptions = { kubeconfig: twin.kubeconfigPath, stateDir, requestTimeout: '30s', verbose: 0, color: false, qps: '0', burst: '40' };
  const battery = new BatteryPlayer(upsd, twin);
  return {
    twin,
    fronts,
    dir,
    stateDir,
    ctx,
    g,
    battery,
    writeConfig(doc = {}) {
      const file = join(dir, `guard-${Math.random().toString(36).slice(2, 8)}.yaml`);
      const base: GuardConfigDoc = {
        schemaVersion: 1,
        kind: 'GuardConfig',
        ups: upsd.target,
        user: upsUser,
        passwordFile: upsd.passwordFile,
        pollIntervalSeconds: 10,
        timeoutSeconds: 2,
        policy: { safetyMarginSeconds: 300, flapToleranceSeconds: 60, restart: { minChargePercent: 50, stableSeconds: 120 } },
        budget: { vmStopParallelism: 4, maxVmStopParallelism: 16, guestGraceSeconds: 180, minGuestGraceSeconds: 30 },
        cluster: { power: fronts.inventoryPath },
      };
      writeFileSync(file, stringify({ ...base, ...doc }), { mode: 0o600 });
      return file;
    },
    start(configPath) {
      const ac = new AbortController();
      const done = runGuardService(ctx, g, { config: configPath }, ac.signal);
      done.catch(() => undefined);
      return {
        done,
        stop: async () => {
          ac.abort(new Error('test stops the guard'));
          return done;
        },
        stdout: () => out.stdout,
        stderr: () => out.stderr,
      };
    },
    records() {
      return readGuardJournal(guardJournalPath(clusterDirOf(stateDir, twin.clusterUid))).records;
    },
    async close() {
      await battery.stop();
      await fronts.stop();
      await twin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Plays a battery through the dummy-ups file: on battery, the runtime runs down in the
 * twin's modelled time (LB in the last `lowS` seconds); `online` puts the mains back.
 */
export class BatteryPlayer {
  #loop: Promise<void> | undefined;
  #playing = false;
  /** Modelled epoch ms when the current outage began, and when its battery is empty. */
  outageAt = 0;
  emptyAt = 0;

  constructor(
    private readonly upsd: Upsd,
    private readonly twin: Twin,
  ) {}

  /** The mains fail now with `runtimeS` modelled seconds of battery. */
  async discharge(runtimeS: number, o: { lowS?: number; capacityS?: number } = {}): Promise<void> {
    const now = this.twin.clock.now();
    this.outageAt = now;
    await this.#play(now + runtimeS * 1000, o.capacityS ?? Math.max(runtimeS, 3600), o.lowS ?? 60);
  }

  /** Mains back (charging); the battery keeps its end, so a flap back to battery goes on draining it. */
  async online(chargePct: number, runtimeS = 3600): Promise<void> {
    await this.stop();
    await this.upsd.setUps('OL CHRG', runtimeS, chargePct);
  }

  /** A flap: back on the same battery as before. */
  async resume(o: { lowS?: number; capacityS?: number } = {}): Promise<void> {
    await this.#play(this.emptyAt, o.capacityS ?? 3600, o.lowS ?? 60);
  }

  async #play(emptyAt: number, capacityS: number, lowS: number): Promise<void> {
    await this.stop();
    this.emptyAt = emptyAt;
    this.#playing = true;
    const write = async () => {
      const left = Math.max(0, Math.round((emptyAt - this.twin.clock.now()) / 1000));
      await this.upsd.setUps(left <= lowS ? 'OB LB' : 'OB DISCHRG', left, Math.max(1, Math.round((100 * left) / capacityS)));
    };
    await write();
    this.#loop = (async () => {
      while (this.#playing) {
        await new Promise((r) => setTimeout(r, 1000));
        if (this.#playing) await write();
      }
    })();
  }

  async stop(): Promise<void> {
    this.#playing = false;
    await this.#loop;
    this.#loop = undefined;
  }
}

export function secretFree(text: string): boolean {
  return !text.includes(upsPassword);
}

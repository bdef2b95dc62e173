// What every twin controller gets: the API, shared informers, the clock and timers, the
// event log, faults, the API gate, the scenario's modelled durations, and the "physical"
// state of the machines (node power, kubelets, etcd). Also who-did-it attribution, so the
// event log can tell a client's scale from the scale-available handler's.
import type { Clock } from '../../common/clock.js';
import type { TwinApi } from '../api.js';
import type { EtcdModel } from '../etcd/model.js';
import type { EventLog } from '../events.js';
import type { TwinFaults } from '../faults.js';
import type { Rng } from '../scenario/rng.js';
import type { Timing } from '../scenario/schema.js';
import type { Informers } from './informer.js';
import type { Kubelets } from './kubelets.js';
import type { NodePowerModel } from './power.js';
import type { ApiGate } from './queue.js';
import type { Timers } from './timers.js';

export interface TwinContext {
  api: TwinApi;
  informers: Informers;
  clock: Clock;
  timers: Timers;
  rng: Rng;
  events: EventLog;
  faults: TwinFaults;
  gate: ApiGate;
  timing: Timing;
  power: NodePowerModel;
  kubelets: Kubelets;
  etcd: EtcdModel;
  attribution: Attribution;
  /** Facts about the cluster that controllers need (VIP, versions, registration). */
  cluster: { vip: string; kubernetesVersion: string; name: string };
}

/**
 * Writers say who they are just before a write; the watcher that records the change takes
 * the attribution (writes and watch events are synchronous in the in-memory twin). A change
 * nobody claimed came from a client of the API server.
 */
export class Attribution {
  private readonly claims = new Map<string, string>();

  claim(key: string, by: string): void {
    this.claims.set(key, by);
  }

  take(key: string): string {
    const by = this.claims.get(key);
    this.claims.delete(key);
    return by ?? 'client';
  }
}

export interface Controller {
  readonly name: string;
  /** Register handlers on informers (before they start). */
  setup(): void;
  /** After informers synced: enqueue everything once. */
  resync(): void;
  stop(): void;
  /** Nothing pending (for tests that wait for a quiet cluster). */
  idle(): boolean;
}

// What really happened inside the twin, with modelled times: every activity whose length
// the twin drew (a guest's shutdown, a node's boot, an addon's deploy, a pod's start) as
// an interval, and the moments the seed's gates open (API up, all nodes Ready, all system
// pods Ready). Read from the twin's event log and its store as they change — never from
// fallow's journal or progress events — so the critical-path bound built from it does not
// depend on how well the tool under test behaved.
import { Rancher, SystemNamespaces } from '../src/common/harvester.js';
import type { DeploymentObject, PodObject, SupportBundleObject, VirtualMachineInstanceObject } from '../src/common/harvester-types.js';
import type { TwinEvent } from '../src/twin/events.js';
import type { Twin } from '../src/twin/runtime.js';

export interface Span {
  start: number;
  end?: number;
}

/** Last-wins spans by key: a key that starts again (a VM stopped, then started) opens a new one. */
export class Spans {
  readonly all: { key: string; span: Span }[] = [];
  private readonly open = new Map<string, Span>();
  begin(key: string, t: number): void {
    if (this.open.has(key)) return;
    const span = { start: t };
    this.open.set(key, span);
    this.all.push({ key, span });
  }
  end(key: string, t: number): void {
    const s = this.open.get(key);
    if (!s) return;
    s.end = t;
    this.open.delete(key);
  }
  /** Closed spans that started within [from, to). */
  within(from: number, to = Infinity): { key: string; start: number; end: number; ms: number }[] {
    return this.all
      .filter((x) => x.span.end !== undefined && x.span.start >= from && x.span.start < to)
      .map((x) => ({ key: x.key, start: x.span.start, end: x.span.end!, ms: x.span.end! - x.span.start }));
  }
}

const systemNs = new Set<string>(SystemNamespaces);
const key = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const podReady = (p: PodObject) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready) && !p.metadata.deletionTimestamp;

export class TwinTruth {
  /** Stop requested (VMI deletion) → VMI gone. */
  readonly vmiStop = new Spans();
  /** VMI created → Running. */
  readonly vmiStart = new Spans();
  readonly volumeDetach = new Spans();
  readonly addonDisable = new Spans();
  readonly addonEnable = new Spans();
  readonly nodeShutdown = new Spans();
  readonly nodeBoot = new Spans();
  readonly bundle = new Spans();
  /** Deployment scaled to 0 by the client → its last pod gone. */
  readonly podsGone = new Spans();
  /** Deployment scaled up by anyone → first ready replica. */
  readonly deployReady = new Spans();
  /** Moments: node Ready, API up, VIP set, all system pods Ready, etcd leader elected. */
  readonly marks: { t: number; what: 'node-ready' | 'api-up' | 'vip-set' | 'system-ready' | 'etcd-leader'; key?: string }[] = [];
  readonly events: TwinEvent[] = [];
  private readonly notReadySystem = new Set<string>();
  private readonly appPods = new Map<string, Set<string>>();
  private readonly stops: (() => void)[] = [];

  constructor(private readonly twin: Twin) {
    const now = () => twin.clock.now();
    this.stops.push(twin.events.subscribe((ev) => this.onEvent(ev)));
    const type = (apiVersion: string, kind: string) => twin.store.typeOfKind(apiVersion, kind);
    this.stops.push(
      twin.store.watch(type('kubevirt.io/v1', 'VirtualMachineInstance'), {}, ({ type: t, object }) => {
        const vmi = object as VirtualMachineInstanceObject;
        const k = key(vmi);
        if (t === 'ADDED' && !vmi.metadata.deletionTimestamp && vmi.status?.phase !== 'Running') this.vmiStart.begin(k, now());
        if (vmi.status?.phase === 'Running') this.vmiStart.end(k, now());
        if (vmi.metadata.deletionTimestamp && t !== 'DELETED') this.vmiStop.begin(k, now());
        if (t === 'DELETED') {
          this.vmiStop.begin(k, now());
          this.vmiStop.end(k, now());
        }
      }),
    );
    this.stops.push(
      twin.store.watch(type('harvesterhci.io/v1beta1', 'SupportBundle'), {}, ({ type: t, object }) => {
        const b = object as SupportBundleObject;
        if (t === 'ADDED') this.bundle.begin(key(b), now());
        if (b.status?.state === 'ready' || b.status?.state === 'error') this.bundle.end(key(b), now());
      }),
    );
    this.stops.push(
      twin.store.watch(type('v1', 'Pod'), {}, ({ type: t, object }) => {
        const p = object as PodObject;
        const ns = p.metadata.namespace ?? '';
        if (!systemNs.has(ns)) return;
        const k = key(p);
        const app = p.metadata.labels?.app;
        if (ns === Rancher.namespace && app) {
          const set = this.appPods.get(app) ?? new Set<string>();
          this.appPods.set(app, set);
          if (t === 'DELETED') set.delete(k);
          else set.add(k);
          if (set.size === 0) this.podsGone.end(`${ns}/${app}`, now());
        }
        const wasEmpty = this.notReadySystem.size === 0;
        if (t === 'DELETED' || podReady(p) || p.status?.phase === 'Succeeded') this.notReadySystem.delete(k);
        else this.notReadySystem.add(k);
        if (!wasEmpty && this.notReadySystem.size === 0) this.marks.push({ t: now(), what: 'system-ready' });
      }),
    );
    this.stops.push(
      twin.store.watch(type('apps/v1', 'Deployment'), { namespace: Rancher.namespace }, ({ type: t, object }) => {
        const d = object as DeploymentObject;
        if (t === 'DELETED') return;
        const k = key(d);
        if ((d.spec?.replicas ?? 0) > 0 && (d.status?.readyReplicas ?? 0) === 0) this.deployReady.begin(k, now());
        if ((d.status?.readyReplicas ?? 0) > 0) this.deployReady.end(k, now());
      }),
    );
  }

  stop(): void {
    for (const s of this.stops) s();
  }

  private onEvent(ev: TwinEvent): void {
    this.events.push(ev);
    const o = ev.object ?? '';
    switch (ev.type) {
      case 'node.power':
        if (ev.detail === 'shutting-down') this.nodeShutdown.begin(ev.node!, ev.t);
        if (ev.detail === 'off') this.nodeShutdown.end(ev.node!, ev.t);
        if (ev.detail === 'booting') this.nodeBoot.begin(ev.node!, ev.t);
        if (ev.detail === 'on') this.nodeBoot.end(ev.node!, ev.t);
        break;
      case 'node.ready':
        this.marks.push({ t: ev.t, what: 'node-ready', key: ev.node! });
        break;
      case 'api.reachability':
        if (ev.detail === 'up') this.marks.push({ t: ev.t, what: 'api-up' });
        break;
      case 'etcd.leader':
        if (ev.node) this.marks.push({ t: ev.t, what: 'etcd-leader', key: ev.node });
        break;
      case 'vip.set':
        this.marks.push({ t: ev.t, what: 'vip-set' });
        break;
      case 'volume.detaching':
        this.volumeDetach.begin(o, ev.t);
        break;
      case 'volume.detached':
        this.volumeDetach.end(o, ev.t);
        break;
      case 'addon.status':
        if (ev.detail === 'AddonDisabling') this.addonDisable.begin(o, ev.t);
        if (ev.detail === 'AddonDisabled') this.addonDisable.end(o, ev.t);
        if (ev.detail === 'AddonEnabling') this.addonEnable.begin(o, ev.t);
        if (ev.detail === 'AddonDeploySuccessful') this.addonEnable.end(o, ev.t);
        break;
      case 'deployment.scaled': {
        const to = (ev.data as { to?: number } | undefined)?.to;
        const app = o.split('/')[1] ?? '';
        if (to === 0 && ev.by === 'client') {
          this.podsGone.begin(o, ev.t);
          if ((this.appPods.get(app)?.size ?? 0) === 0) this.podsGone.end(o, ev.t);
        }
        break;
      }
      default:
        break;
    }
  }

  /** The last time a mark was recorded within [from, to). */
  lastMark(what: TwinTruth['marks'][number]['what'], from: number, to = Infinity): number | undefined {
    return this.marks.filter((m) => m.what === what && m.t >= from && m.t < to).at(-1)?.t;
  }

  firstMark(what: TwinTruth['marks'][number]['what'], from: number, to = Infinity): number | undefined {
    return this.marks.find((m) => m.what === what && m.t >= from && m.t < to)?.t;
  }
}

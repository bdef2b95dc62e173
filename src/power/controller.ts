// PowerController: picks, per node, how each act is done and proves it happened.
//   shutdown  → SSH (the seed's `sudo -i shutdown`), else BMC soft-off, else by hand;
//   power-on  → BMC, else by hand (also when the BMC cannot be reached and someone is there);
//   status    → BMC PowerState, else Kubernetes NotReady AND the SSH port closed.
// Shutdown returns only when the node is seen off; hard power-off only with `force`.
// Booted needs evidence from after the power-on: the Node object can still say Ready for
// the node-monitor grace (~40 s) after a node went down, so right after a fast power cycle
// Ready alone proves nothing. The SSH port answering does (the OS is up); without an
// address to probe, a new kubelet boot id, or Ready after the node was seen not Ready.
import type { Clock } from '../common/clock.js';
import { UnreachableError, formatError } from '../common/errors.js';
import type { CheckReport, DriverKind, NodeReadyProbe, NodeView, PowerDriver, PowerLog, PowerState } from './driver.js';
import type { PowerInventory } from './inventory.js';
import { IpmiDriver, type IpmiDriverOptions } from './ipmi.js';
import { ManualDriver, type OperatorConsole } from './manual.js';
import { PowerMessages } from './messages.js';
import { tcpPortOpen } from './probe.js';
import { RedfishDriver, type RedfishDriverOptions } from './redfish.js';
import { SshDriver, type SshDriverOptions } from './ssh.js';

export interface PowerControllerOptions {
  /** With SSH addresses already filled (`inventory.withAddresses(InternalIP)`). */
  inventory: PowerInventory;
  clock: Clock;
  nodeReady: NodeReadyProbe;
  console: OperatorConsole;
  acceptNewHostKeys?: boolean;
  log?: PowerLog;
  /** Modelled ms between looks while confirming. */
  pollMs?: number;
  /** Wall ms a probe of the SSH port may take. */
  probeTimeoutMs?: number;
  /** How long to wait for the off state after a forced power-off (modelled ms). */
  forceOffWaitMs?: number;
  ssh?: SshDriverOptions;
  ipmi?: IpmiDriverOptions;
  redfish?: RedfishDriverOptions;
}

/** What was seen, and the words that justify it in a message. */
export interface Observation {
  state: PowerState;
  /** "BMC says On", "NotReady, SSH port 10.0.0.5:22 closed" */
  evidence: string;
  /** The OS answers (Ready or SSH port open); only meaningful when state is on. */
  booted: boolean;
  /** Kubernetes' Ready condition; undefined when the API could not be asked. */
  ready?: boolean;
  /** The kubelet's boot id (status.nodeInfo.bootID), when Kubernetes gave it. */
  bootId?: string;
  /** The SSH port answered; undefined when there is no address to probe. */
  portOpen?: boolean;
}

export interface Route {
  node: string;
  shutdown: DriverKind;
  powerOn: DriverKind;
  status: 'bmc' | 'probe';
}

export interface ShutdownOptions {
  /** Absolute modelled epoch ms by which the node must be seen off. */
  deadline: number;
  /** Cut the power if the graceful shutdown does not finish by the deadline. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface PowerOnOptions {
  /** Absolute modelled epoch ms by which the node must be seen booted. */
  deadline: number;
  signal?: AbortSignal;
}

export class PowerController {
  readonly ssh: SshDriver;
  readonly ipmi: IpmiDriver;
  readonly redfish: RedfishDriver;
  readonly manual: ManualDriver;
  private readonly inventory: PowerInventory;
  /** Boot ids seen when a shutdown was asked: what a later power-on must see change. */
  private readonly bootIdAtShutdown = new Map<string, string>();

  constructor(private readonly opts: PowerControllerOptions) {
    this.inventory = opts.inventory;
    const log = opts.log;
    this.ssh = new SshDriver(opts.inventory, { acceptNewHostKeys: opts.acceptNewHostKeys === true, ...(log ? { log } : {}), ...opts.ssh });
    this.ipmi = new IpmiDriver(opts.inventory, { ...(log ? { log } : {}), ...opts.ipmi });
    this.redfish = new RedfishDriver(opts.inventory, { ...(log ? { log } : {}), ...opts.redfish });
    this.manual = new ManualDriver(opts.inventory, {
      console: opts.console,
      clock: opts.clock,
      observe: async (node) => (await this.probe(node)).state,
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    });
  }

  route(node: string): Route {
    const spec = this.inventory.node(node);
    const bmc = spec.bmc?.driver;
    return { node, shutdown: spec.ssh ? 'ssh' : (bmc ?? 'manual'), powerOn: bmc ?? 'manual', status: bmc ? 'bmc' : 'probe' };
  }

  async status(node: string): Promise<PowerState> {
    return (await this.observe(node)).state;
  }

  /** BMC PowerState where there is a BMC, else the probe; never throws (unknown instead). */
  async observe(node: string): Promise<Observation> {
    const bmc = this.bmcDriver(node);
    if (!bmc) return this.probe(node);
    let state: PowerState;
    try {
      state = await bmc.status(node);
    } catch (err) {
      // The BMC is out of reach (its network, or it is the thing that failed): judge the
      // node as if it had none, and say so.
      const os = await this.probe(node);
      return { ...os, evidence: `BMC unreadable (${formatError(err)}); ${os.evidence}` };
    }
    if (state !== 'on') {
      // Kubernetes' view too: the boot id before a power-on, and Ready seen withdrawn.
      const view = await this.nodeView(node);
      return { state, evidence: `BMC says ${state}`, booted: false, ...(view ? { ready: view.ready } : {}), ...(view?.bootId ? { bootId: view.bootId } : {}) };
    }
    const os = await this.probe(node);
    return { ...os, state: 'on', evidence: `BMC says on; ${os.evidence}` };
  }

  /**
   * Without a BMC: SSH port open → on; NotReady (or no API) and the port closed → off; Ready
   * with the port closed is a Ready not yet withdrawn (or sshd down): unknown, not booted.
   */
  async probe(node: string): Promise<Observation> {
    // API down (the last control-plane node is going): the port alone decides.
    const view = await this.nodeView(node);
    const ready = view?.ready;
    const spec = this.inventory.node(node);
    const addr = spec.ssh?.address ?? spec.address;
    const port = spec.ssh?.port ?? 22;
    const open = addr ? await tcpPortOpen(addr, port, this.opts.probeTimeoutMs ?? 2000) : undefined;
    const readyText = ready === undefined ? 'Kubernetes API unreachable' : ready ? 'Ready' : 'NotReady';
    const portText = addr ? `SSH port ${addr}:${port} ${open ? 'open' : 'closed'}` : 'no SSH address';
    const evidence = `${readyText}, ${portText}`;
    const seen = { ...(ready !== undefined ? { ready } : {}), ...(view?.bootId ? { bootId: view.bootId } : {}), ...(open !== undefined ? { portOpen: open } : {}) };
    if (open === true || (ready === true && open === undefined)) return { state: 'on', evidence, booted: true, ...seen };
    if (open === false && ready !== true) return { state: 'off', evidence, booted: false, ...seen };
    return { state: 'unknown', evidence: ready === true ? `${evidence} (Ready not withdrawn yet, or sshd down)` : evidence, booted: false, ...seen };
  }

  /** Graceful shutdown, then waits until the node is seen off (or cuts it with force). */
  async shutdown(node: string, o: ShutdownOptions): Promise<void> {
    const asked = this.opts.clock.now();
    const before = await this.observe(node);
    if (before.bootId) this.bootIdAtShutdown.set(node, before.bootId);
    if (before.state === 'off') return;
    const route = this.route(node);
    if (route.shutdown === 'ssh') {
      try {
        await this.ssh.shutdown(node);
      } catch (err) {
        // Unreachable over SSH but a BMC answers: ACPI soft-off is still a clean shutdown.
        if (!(err instanceof UnreachableError) || !this.bmcDriver(node)) throw err;
        this.log(node, `SSH unreachable (${formatError(err)}); asking the BMC for a soft power-off`);
        await this.bmcDriver(node)?.shutdown(node);
      }
    } else {
      await this.driver(route.shutdown).shutdown(node);
    }
    await this.confirmOff(node, o.deadline, { ...o, since: asked });
  }

  /** `since`: when the shutdown was asked for (for the message); default now. */
  async confirmOff(node: string, deadline: number, o: { force?: boolean; signal?: AbortSignal; since?: number } = {}): Promise<void> {
    const started = o.since ?? this.opts.clock.now();
    const seen = await this.waitFor(node, deadline, (ob) => ob.state === 'off', o.signal);
    if (seen.state === 'off') return;
    if (!o.force) throw PowerMessages.nodeStaysOn(node, this.opts.clock.now() - started, seen.evidence);
    this.log(node, `still on (${seen.evidence}); cutting the power as --force allows`);
    await (this.bmcDriver(node) ?? this.manual).forceOff(node);
    const extra = this.opts.clock.now() + (this.opts.forceOffWaitMs ?? 60_000);
    const after = await this.waitFor(node, extra, (ob) => ob.state === 'off', o.signal);
    if (after.state !== 'off') throw PowerMessages.nodeStaysOn(node, this.opts.clock.now() - started, `even after a forced power-off: ${after.evidence}`);
  }

  /** Power-on through the BMC (or by hand), then waits until the OS answers. */
  async powerOn(node: string, o: PowerOnOptions): Promise<void> {
    const asked = this.opts.clock.now();
    const now = await this.observe(node);
    const atShutdown = this.bootIdAtShutdown.get(node);
    if (now.state === 'on' && now.booted && freshBoot([now], atShutdown)) return;
    // A node not on now boots with a new boot id: the one Kubernetes shows now is the old one.
    const bootIdBefore = atShutdown ?? (now.state !== 'on' ? now.bootId : undefined);
    const bmc = this.bmcDriver(node);
    let bmcAnswers = bmc !== undefined;
    if (!bmc) await this.manual.powerOn(node);
    else if (now.state !== 'on') {
      try {
        await bmc.powerOn(node);
      } catch (err) {
        if (!(err instanceof UnreachableError) || !this.manual.attended) throw err;
        await this.manual.powerOn(node, `The BMC did not answer: ${formatError(err)}`);
        bmcAnswers = false; // no point asking it again every poll: the OS answering decides
      }
    }
    await this.confirmOn(node, o.deadline, {
      ...(o.signal ? { signal: o.signal } : {}),
      since: asked,
      probeOnly: !bmcAnswers,
      seen: [now],
      ...(bootIdBefore ? { bootIdBefore } : {}),
    });
    this.bootIdAtShutdown.delete(node); // served: the next cycle records its own
  }

  /**
   * Waits until the node is on and booted by evidence from after the power-on (see the top).
   * `probeOnly`: judge by the OS answering alone (the BMC is known to be out of reach);
   * `seen`: what was observed since the power-on was asked; `bootIdBefore`: the boot id
   * before it.
   */
  async confirmOn(
    node: string,
    deadline: number,
    o: { signal?: AbortSignal; since?: number; probeOnly?: boolean; seen?: Observation[]; bootIdBefore?: string } = {},
  ): Promise<void> {
    const started = o.since ?? this.opts.clock.now();
    const look = o.probeOnly ? (n: string) => this.probe(n) : undefined;
    const history = [...(o.seen ?? [])];
    const booted = (ob: Observation) => {
      history.push(ob);
      return ob.state === 'on' && ob.booted && freshBoot(history, o.bootIdBefore);
    };
    const seen = await this.waitFor(node, deadline, booted, o.signal, look);
    if (!booted(seen)) {
      const stale = seen.state === 'on' && seen.booted ? ' (Kubernetes still shows the Ready and boot id from before the power-on)' : '';
      throw PowerMessages.nodeDoesNotBoot(node, this.opts.clock.now() - started, `${seen.evidence}${stale}`);
    }
  }

  /** Read-only checks of every way this node is reached. */
  async check(node: string): Promise<CheckReport[]> {
    const spec = this.inventory.node(node);
    const reports: CheckReport[] = [];
    if (spec.ssh) reports.push(await this.ssh.check(node));
    const bmc = this.bmcDriver(node);
    reports.push(await (bmc ?? this.manual).check(node));
    return reports;
  }

  async close(): Promise<void> {
    await this.redfish.close();
  }

  private async waitFor(
    node: string,
    deadline: number,
    done: (o: Observation) => boolean,
    signal?: AbortSignal,
    look: (node: string) => Promise<Observation> = (n) => this.observe(n),
  ): Promise<Observation> {
    const { clock } = this.opts;
    const pollMs = this.opts.pollMs ?? 5000;
    for (;;) {
      signal?.throwIfAborted();
      const ob = await look(node);
      if (done(ob) || clock.now() >= deadline) return ob;
      await clock.sleep(Math.min(pollMs, deadline - clock.now()), signal);
    }
  }

  /** Kubernetes' view of the node; undefined when the API cannot be asked. */
  private async nodeView(node: string): Promise<NodeView | undefined> {
    try {
      const r = await this.opts.nodeReady(node);
      return typeof r === 'boolean' ? { ready: r } : r;
    } catch {
      return undefined;
    }
  }

  private bmcDriver(node: string): PowerDriver | undefined {
    const d = this.inventory.node(node).bmc?.driver;
    return d ? this.driver(d) : undefined;
  }

  private driver(kind: DriverKind): PowerDriver {
    return { ssh: this.ssh, ipmi: this.ipmi, redfish: this.redfish, manual: this.manual }[kind];
  }

  private log(node: string, message: string): void {
    this.opts.log?.({ node, driver: 'controller', message });
  }
}


/**
 * Is the latest observation of a booted node evidence of a boot after the power-on? The SSH
 * port answering is (only a running OS answers it); without a port to probe, a boot id
 * other than the one before, or Ready after an observation of not Ready. With neither a
 * port nor a boot id to compare, Ready is all there is.
 */
export function freshBoot(history: readonly Observation[], bootIdBefore: string | undefined): boolean {
  const last = history.at(-1);
  if (!last) return false;
  if (last.portOpen === true) return true;
  if (last.portOpen === false) return false;
  if (last.ready !== true) return false;
  if (bootIdBefore && last.bootId && last.bootId !== bootIdBefore) return true;
  if (history.slice(0, -1).some((ob) => ob.ready === false)) return true;
  return !bootIdBefore;
}

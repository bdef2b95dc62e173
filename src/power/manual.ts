// "Manual" power: the operator presses the button. fallow says exactly which machine
// (name, IP, BMC address or location when known) and waits until it sees the change
// itself; the operator's Enter only makes it look again sooner. With nobody at the
// terminal (not interactive, or --yes) it fails at once instead of waiting for no one.
import type { Clock } from '../common/clock.js';
import type { CheckReport, PowerDriver, PowerState } from './driver.js';
import type { PowerInventory } from './inventory.js';
import { PowerMessages } from './messages.js';

export interface OperatorConsole {
  /** A human can answer (a TTY). */
  interactive: boolean;
  /** --yes: the run is unattended even if a TTY is attached. */
  assumeYes: boolean;
  say(line: string): void;
  /** Resolves with the typed line; must stop asking when `signal` aborts. */
  ask(question: string, signal: AbortSignal): Promise<string>;
}

export interface ManualDriverOptions {
  console: OperatorConsole;
  clock: Clock;
  /** What fallow can see of the node without a BMC (the controller's probe). */
  observe(node: string): Promise<PowerState>;
  /** Modelled ms to wait for the operator. */
  waitMs?: number;
  pollMs?: number;
}

type Want = 'on' | 'off';

export class ManualDriver implements PowerDriver {
  readonly kind = 'manual' as const;

  constructor(
    private readonly inventory: PowerInventory,
    private readonly opts: ManualDriverOptions,
  ) {}

  get attended(): boolean {
    return this.opts.console.interactive && !this.opts.console.assumeYes;
  }

  status(node: string): Promise<PowerState> {
    return this.opts.observe(node);
  }

  shutdown(node: string): Promise<void> {
    return this.byHand(node, 'off', 'Shut it down from its console (or press its power button briefly for ACPI shutdown)');
  }

  powerOn(node: string, why?: string): Promise<void> {
    return this.byHand(node, 'on', 'Press its power button (or power it on from its BMC web console)', why);
  }

  forceOff(node: string): Promise<void> {
    return this.byHand(node, 'off', 'Hold its power button until it goes dark (this cuts the power)');
  }

  check(node: string): Promise<CheckReport> {
    const ok = this.attended;
    return Promise.resolve({
      node,
      driver: 'manual',
      ok,
      detail: ok
        ? 'no BMC: fallow will ask the operator to press the power button'
        : 'no BMC and nobody at the terminal (not interactive or --yes): power-on will fail',
    });
  }

  /** The lines that tell the operator which machine, for this driver and for BMC fallbacks. */
  describeNode(node: string): string {
    const spec = this.inventory.has(node) ? this.inventory.node(node) : undefined;
    const parts = [`node ${node}`];
    const ip = spec?.ssh?.address ?? spec?.address;
    if (ip) parts.push(`IP ${ip}`);
    if (spec?.bmc) parts.push(`BMC ${spec.bmc.address}`);
    if (spec?.location) parts.push(`location: ${spec.location}`);
    return parts.join(', ');
  }

  async byHand(node: string, want: Want, how: string, why?: string): Promise<void> {
    const action = want === 'on' ? 'switched on' : 'switched off';
    if (!this.attended) throw PowerMessages.manualNoOperator(node, action);
    if ((await this.opts.observe(node)) === want) return;
    const { console: con, clock } = this.opts;
    const waitMs = this.opts.waitMs ?? 30 * 60_000;
    const deadline = clock.now() + waitMs;
    if (why) con.say(why);
    con.say(`ACTION NEEDED: switch ${want.toUpperCase()} ${this.describeNode(node)}.`);
    con.say(`${how}. fallow goes on by itself once it sees the node ${want}.`);
    while (clock.now() < deadline) {
      const outcome = await this.waitRound(node, want, deadline);
      if (outcome === 'seen') {
        con.say(`Seen: node ${node} is ${want}.`);
        return;
      }
      if (outcome === 'abort') throw PowerMessages.manualAborted(node, action);
      if (outcome === 'enter') con.say(`Not seen yet: node ${node} does not look ${want}; still waiting.`);
    }
    throw PowerMessages.manualTimedOut(node, action, waitMs);
  }

  /** One question to the operator, raced against watching the node. */
  private async waitRound(node: string, want: Want, deadline: number): Promise<'seen' | 'abort' | 'enter' | 'timeout'> {
    const { console: con, clock } = this.opts;
    const pollMs = this.opts.pollMs ?? 5000;
    const stop = new AbortController();
    const asked = con
      .ask(`Press Enter to look again now, or type "abort" to stop waiting for ${node}: `, stop.signal)
      .then((answer) => (answer.trim().toLowerCase() === 'abort' ? ('abort' as const) : ('enter' as const)))
      .catch(() => 'timeout' as const);
    const watched = (async () => {
      while (!stop.signal.aborted && clock.now() < deadline) {
        if ((await this.opts.observe(node)) === want) return 'seen' as const;
        await clock.sleep(Math.min(pollMs, Math.max(0, deadline - clock.now())), stop.signal).catch(() => undefined);
      }
      return 'timeout' as const;
    })();
    const first = await Promise.race([asked, watched]);
    stop.abort();
    if (first === 'enter' && (await this.opts.observe(node)) === want) return 'seen';
    return first;
  }
}

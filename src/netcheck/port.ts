// The runbook's NetCheckPort over SSH: the power inventory says how to log in to each node
// (user, key, known_hosts — the same entries the SSH power driver uses), the SSH driver
// runs the commands, checks.ts judges the answers. Nodes without SSH in the inventory
// cannot be checked; the runbook decides what that means.
import type { NetCheckPort, NetCheckResult, NetExpectations, NodeNetBaseline } from '../runbook/netcheck-port.js';
import type { NodeTarget } from '../runbook/ports.js';
import type { PowerInventory } from '../power/inventory.js';
import { SshDriver } from '../power/ssh.js';
import { readBaseline, runNetChecks } from './checks.js';

export class SshNetCheck implements NetCheckPort {
  private readonly ssh: SshDriver;

  constructor(
    private readonly inventory: PowerInventory,
    opts: { connectTimeoutMs?: number; commandTimeoutMs?: number } = {},
  ) {
    this.ssh = new SshDriver(inventory, { connectTimeoutMs: opts.connectTimeoutMs ?? 20_000, commandTimeoutMs: opts.commandTimeoutMs ?? 30_000 });
  }

  canCheck(node: string): boolean {
    try {
      this.inventory.ssh(node);
      return true;
    } catch {
      return false;
    }
  }

  // One login per check: the gateway ping, decided from the route's answer, reuses it.
  check(node: NodeTarget, expect: NetExpectations): Promise<NetCheckResult[]> {
    return this.ssh.withLogin(node.name, (run) => runNetChecks({ run }, expect));
  }

  baseline(node: NodeTarget): Promise<NodeNetBaseline> {
    return this.ssh.withLogin(node.name, (run) => readBaseline({ run }));
  }
}

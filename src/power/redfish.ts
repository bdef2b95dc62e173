// Redfish power driver: ServiceRoot → Systems → the node's ComputerSystem (systemId, or
// the only one), PowerState for status, and the resource's own
// Actions["#ComputerSystem.Reset"].target for On / GracefulShutdown / ForceOff, checked
// against its allowable values first. One session per node, ended by close().
import { formatError } from '../common/errors.js';
import type { CheckReport, PowerDriver, PowerLog, PowerState } from './driver.js';
import type { BmcTarget, PowerInventory } from './inventory.js';
import { PowerMessages } from './messages.js';
import { RedfishClient, type RedfishJson } from './redfish-client.js';
import { readSecret } from './secrets.js';

export type ResetType = 'On' | 'GracefulShutdown' | 'ForceOff';

export interface RedfishDriverOptions {
  log?: PowerLog;
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
}

interface Bound {
  client: RedfishClient;
  bmc: BmcTarget;
  systemPath: string;
}

type ResetAction = { target?: string; 'ResetType@Redfish.AllowableValues'?: string[]; '@Redfish.ActionInfo'?: string };

export class RedfishDriver implements PowerDriver {
  readonly kind = 'redfish' as const;
  private readonly bound = new Map<string, Promise<Bound>>();

  constructor(
    private readonly inventory: PowerInventory,
    private readonly opts: RedfishDriverOptions = {},
  ) {}

  async status(node: string): Promise<PowerState> {
    const { client, systemPath } = await this.bind(node);
    return powerStateOf(await client.get(systemPath));
  }

  shutdown(node: string): Promise<void> {
    return this.reset(node, 'GracefulShutdown');
  }

  powerOn(node: string): Promise<void> {
    return this.reset(node, 'On');
  }

  forceOff(node: string): Promise<void> {
    return this.reset(node, 'ForceOff');
  }

  async check(node: string): Promise<CheckReport> {
    try {
      const { bmc, systemPath } = await this.bind(node);
      const state = await this.status(node);
      return { node, driver: 'redfish', ok: state !== 'unknown', detail: `logged in to ${bmc.address}:${bmc.port} as ${bmc.username}, ${systemPath} PowerState ${state}`, state };
    } catch (err) {
      return { node, driver: 'redfish', ok: false, detail: formatError(err) };
    }
  }

  async close(): Promise<void> {
    const all = [...this.bound.values()];
    this.bound.clear();
    await Promise.all(all.map((p) => p.then((b) => b.client.logout()).catch(() => undefined)));
  }

  private async reset(node: string, type: ResetType): Promise<void> {
    const { client, bmc, systemPath } = await this.bind(node);
    const system = await client.get(systemPath);
    const action = (system.Actions as Record<string, ResetAction> | undefined)?.['#ComputerSystem.Reset'];
    if (!action?.target) throw PowerMessages.redfishResetNotAllowed(node, bmc.address, type, []);
    const allowed = await this.allowedResetTypes(client, action);
    if (allowed && !allowed.includes(type)) throw PowerMessages.redfishResetNotAllowed(node, bmc.address, type, allowed);
    this.opts.log?.({ node, driver: 'redfish', message: `ComputerSystem.Reset ${type} via ${bmc.address}:${bmc.port}` });
    const res = await client.call('POST', action.target, { ResetType: type });
    if (res.status < 200 || res.status > 204) throw client.failed(`reset (${type})`, res);
  }

  private async allowedResetTypes(client: RedfishClient, action: ResetAction): Promise<string[] | undefined> {
    if (action['ResetType@Redfish.AllowableValues']) return action['ResetType@Redfish.AllowableValues'];
    if (!action['@Redfish.ActionInfo']) return undefined;
    const info = await client.get(action['@Redfish.ActionInfo']);
    const params = info.Parameters as { Name?: string; AllowableValues?: string[] }[] | undefined;
    return params?.find((p) => p.Name === 'ResetType')?.AllowableValues;
  }

  private bind(node: string): Promise<Bound> {
    let p = this.bound.get(node);
    if (!p) {
      p = this.open(node);
      this.bound.set(node, p);
      p.catch(() => this.bound.delete(node));
    }
    return p;
  }

  private async open(node: string): Promise<Bound> {
    const bmc = this.inventory.node(node).bmc;
    if (!bmc || bmc.driver !== 'redfish') throw new Error(`node ${node} has no Redfish BMC in ${this.inventory.file}`);
    const password = await readSecret(`nodes.${node}.bmc password`, bmc.password, this.opts.env);
    const client = new RedfishClient(node, bmc, password, this.opts.requestTimeoutMs);
    try {
      const root = await client.serviceRoot();
      const systemsPath = (root.Systems as { '@odata.id'?: string } | undefined)?.['@odata.id'] ?? '/redfish/v1/Systems';
      const systems = await client.get(systemsPath);
      const members = ((systems.Members as { '@odata.id': string }[] | undefined) ?? []).map((m) => m['@odata.id']);
      const ids = members.map(lastSegment);
      const pick = bmc.systemId ? members[ids.indexOf(bmc.systemId)] : members.length === 1 ? members[0] : undefined;
      if (!pick) throw PowerMessages.redfishNoSystem(node, bmc.address, ids, bmc.systemId);
      return { client, bmc, systemPath: pick };
    } catch (err) {
      await client.logout();
      throw err;
    }
  }
}

/** PowerState → ours. PoweringOff counts as on: the node is not off yet. */
export function powerStateOf(system: RedfishJson): PowerState {
  switch (system.PowerState) {
    case 'On':
    case 'PoweringOff':
    case 'PoweringOn':
    case 'Paused':
      return 'on';
    case 'Off':
      return 'off';
    default:
      return 'unknown';
  }
}

function lastSegment(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? path;
}

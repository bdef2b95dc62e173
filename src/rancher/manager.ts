// RancherManager: the runbook's RancherManagerPort over RancherClient. Reads are fresh
// collection lists (Rancher holds a handful of these objects, and a fresh answer can never
// be a stale cache taken for the truth); waits are woken by watches on the same kinds
// (onChange); the one write is the etcd snapshot request.
import { FatalError, NeedsOperatorError } from '../common/errors.js';
import type { Clock } from '../common/clock.js';
import type { DownstreamClusterView, HarvesterClusterView, RancherManagerPort, SnapshotStateView } from '../runbook/rancher-port.js';
import type { RancherAccess } from './access.js';
import { RancherClient } from './client.js';
import { HarvesterProvider, RancherLabels, type HarvesterMachineObject, type RancherKindName } from './kinds.js';
import { downstreamClusterView, harvesterClusterView, isHarvesterDownstream, snapshotStateView, snapshotsOf } from './views.js';

const watched: RancherKindName[] = ['ManagementCluster', 'ProvisioningCluster', 'Machine', 'HarvesterMachine', 'RkeControlPlane', 'EtcdSnapshot'];

export class RancherManager implements RancherManagerPort {
  readonly url: string;

  constructor(readonly client: RancherClient) {
    this.url = client.url;
  }

  static open(access: RancherAccess, clock: Clock, opts: { requestTimeoutMs?: number } = {}): RancherManager {
    return new RancherManager(new RancherClient(access, clock, opts));
  }

  async harvesterCluster(id?: string): Promise<HarvesterClusterView> {
    if (id) {
      const c = await this.client.get('ManagementCluster', undefined, id);
      if (!c) {
        throw new FatalError(
          `Rancher Manager at ${this.url} has no cluster ${id}, the one Harvester's cluster-registration-url names`,
          'Check that --rancher-url is the Rancher Manager this Harvester is imported into',
        );
      }
      return harvesterClusterView(c);
    }
    const all = await this.client.list('ManagementCluster');
    const harvesters = all.filter((c) => c.metadata.labels?.[RancherLabels.provider] === HarvesterProvider || c.status?.provider === HarvesterProvider);
    if (harvesters.length === 1) return harvesterClusterView(harvesters[0]!);
    if (harvesters.length === 0) {
      throw new FatalError(`Rancher Manager at ${this.url} has no imported Harvester cluster`, 'Check --rancher-url: it must be the Rancher Manager this Harvester is imported into');
    }
    throw new NeedsOperatorError(
      `Rancher Manager at ${this.url} has ${harvesters.length} Harvester clusters (${harvesters.map((c) => `${c.metadata.name} "${c.spec?.displayName ?? ''}"`).join(', ')}) and Harvester's cluster-registration-url does not say which is this one`,
      'Set the cluster-registration-url setting of this Harvester to its import URL from Rancher, then run again',
    );
  }

  async downstreamClusters(): Promise<DownstreamClusterView[]> {
    const [clusters, machines, hms] = await Promise.all([this.client.list('ProvisioningCluster'), this.client.list('Machine'), this.client.list('HarvesterMachine')]);
    const byKey = new Map<string, HarvesterMachineObject>(hms.map((h) => [`${h.metadata.namespace}/${h.metadata.name}`, h]));
    return clusters
      .filter(isHarvesterDownstream)
      .map((p) => downstreamClusterView(p, machines.filter((m) => m.metadata.namespace === p.metadata.namespace), byKey))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  async snapshotState(namespace: string, name: string): Promise<SnapshotStateView> {
    const [p, cp, snaps] = await Promise.all([
      this.client.get('ProvisioningCluster', namespace, name),
      this.client.get('RkeControlPlane', namespace, name),
      this.client.list('EtcdSnapshot', { namespace }),
    ]);
    if (!p) throw new FatalError(`downstream cluster ${namespace}/${name} is gone from Rancher Manager at ${this.url}`, 'It was deleted meanwhile: check Rancher, then `fallow resume`');
    return snapshotStateView(p, cp, snapshotsOf(name, snaps));
  }

  async requestSnapshot(namespace: string, name: string, generation: number): Promise<void> {
    await this.client.mergePatch('ProvisioningCluster', namespace, name, { spec: { rkeConfig: { etcdSnapshotCreate: { generation } } } });
  }

  onChange(listener: () => void): () => void {
    const offs = watched.map((k) => this.client.cache(k).onChange(() => listener()));
    return () => offs.forEach((off) => off());
  }

  close(): void {
    this.client.close();
  }
}

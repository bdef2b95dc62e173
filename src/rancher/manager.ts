// RancherManager: the runbook's RancherManagerPort over RancherClient. Reads come from
// list+watch caches (so waits wake on Rancher's changes and never read a cache that lost
// its connection as the truth); the one write is the etcd snapshot request.
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
    const all = (await this.client.synced('ManagementCluster')).list();
    if (id) {
      const c = all.find((x) => x.metadata.name === id);
      if (!c) {
        throw new FatalError(
          `Rancher Manager at ${this.url} has no cluster ${id}, the one Harvester's cluster-registration-url names`,
          'Check that --rancher-url is the Rancher Manager this Harvester is imported into',
        );
      }
      return harvesterClusterView(c);
    }
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
    const [clusters, machines, hms] = await Promise.all([
      this.client.synced('ProvisioningCluster'),
      this.client.synced('Machine'),
      this.client.synced('HarvesterMachine'),
    ]);
    const byKey = new Map<string, HarvesterMachineObject>(hms.list().map((h) => [`${h.metadata.namespace}/${h.metadata.name}`, h]));
    return clusters
      .list()
      .filter(isHarvesterDownstream)
      .map((p) => downstreamClusterView(p, machines.list().filter((m) => m.metadata.namespace === p.metadata.namespace), byKey))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  async snapshotState(namespace: string, name: string): Promise<SnapshotStateView> {
    const [clusters, cps, snaps] = await Promise.all([
      this.client.synced('ProvisioningCluster'),
      this.client.synced('RkeControlPlane'),
      this.client.synced('EtcdSnapshot'),
    ]);
    const p = clusters.get(namespace, name);
    if (!p) throw new FatalError(`downstream cluster ${namespace}/${name} is gone from Rancher Manager at ${this.url}`, 'It was deleted meanwhile: check Rancher, then `fallow resume`');
    return snapshotStateView(p, cps.get(namespace, name), snapshotsOf(name, snaps.list().filter((s) => s.metadata.namespace === namespace)));
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

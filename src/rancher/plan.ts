// What `fallow plan` shows of Rancher Manager, as plain data: the imported Harvester
// cluster's state and the downstream clusters whose machines are VMs on this Harvester,
// with their readiness and machines. Read-only; the CLI renders it.
import { downstreamFact, nodeDriverVms, onThisHarvester, registeredClusterId } from '../runbook/lib/downstream.js';
import type { ClusterPort } from '../runbook/ports.js';
import type { DownstreamClusterFact } from '../runbook/facts.js';
import type { HarvesterClusterView, RancherManagerPort } from '../runbook/rancher-port.js';

export interface RancherPlanView {
  url: string;
  harvester: HarvesterClusterView;
  downstream: DownstreamClusterFact[];
}

export async function rancherPlanView(rancher: RancherManagerPort, cluster: ClusterPort): Promise<RancherPlanView> {
  const [id, vms] = await Promise.all([registeredClusterId(cluster), nodeDriverVms(cluster)]);
  const [harvester, all] = await Promise.all([rancher.harvesterCluster(id), rancher.downstreamClusters()]);
  return { url: rancher.url, harvester, downstream: onThisHarvester(all, vms).map(downstreamFact) };
}

/** Plain lines for the text renderer. */
export function rancherPlanLines(v: RancherPlanView): string[] {
  return [
    `Rancher Manager ${v.url}: Harvester cluster ${v.harvester.displayName} (${v.harvester.id}) ${v.harvester.state}${v.harvester.message ? ` (${v.harvester.message})` : ''}`,
    ...(v.downstream.length === 0 ? ['no downstream cluster runs on this Harvester'] : []),
    ...v.downstream.map((d) => `downstream ${d.namespace}/${d.name}: ${d.ready ? 'Ready' : 'not Ready'}, ${d.readyMachines}/${d.machines.length} machines ready (${d.machines.map((m) => m.vm ?? m.name).join(', ')})`),
  ];
}

// Every controller of the twin, in one list, wired to the shared context.
import type { BuildResult } from '../scenario/build.js';
import { AddonController } from './addons.js';
import type { Reachability } from './apireach.js';
import { BackupController } from './backup.js';
import { SupportBundleController, type ResourceDump } from './bundle/supportbundle.js';
import type { Controller, TwinContext } from './context.js';
import { KubeletController } from './kubelet.js';
import { VmController } from './kubevirt/vm.js';
import { VmiController } from './kubevirt/vmi.js';
import { InstanceManagerController } from './longhorn/instance-managers.js';
import { LonghornNodeController } from './longhorn/nodes.js';
import { VolumeController } from './longhorn/volumes.js';
import { NodeShutdownController } from './node-shutdown.js';
import { NodeLifecycleController } from './nodes.js';
import { RancherManagerController, ScaleAvailableController } from './rancher.js';
import { SchedulerController } from './scheduler.js';
import { VipController } from './vip.js';
import { DeploymentController, DeploymentScaleRecorder, ReplicaSetController } from './workloads/deployments.js';
import { DaemonSetController, StatefulSetController } from './workloads/sets.js';

export interface TwinControllers {
  all: Controller[];
  bundles: SupportBundleController;
  scaleAvailable: ScaleAvailableController;
  rancherManager: RancherManagerController;
}

export function createControllers(
  ctx: TwinContext,
  build: BuildResult,
  extra: {
    reachability: () => Reachability;
    dump: () => ResourceDump[] | Promise<ResourceDump[]>;
    clusterUid: () => string;
    /** A real kube-controller-manager runs Deployments and ReplicaSets: two controllers must not fight over them. */
    realControllerManager?: boolean;
  },
): TwinControllers {
  const bundles = new SupportBundleController(ctx, extra.dump, extra.clusterUid);
  const scaleAvailable = new ScaleAvailableController(ctx);
  const rancherManager = new RancherManagerController(ctx);
  const all: Controller[] = [
    new NodeLifecycleController(ctx),
    new KubeletController(ctx, build.roles),
    new NodeShutdownController(ctx),
    new SchedulerController(ctx),
    ...(extra.realControllerManager ? [new DeploymentScaleRecorder(ctx)] : [new DeploymentController(ctx), new ReplicaSetController(ctx)]),
    new DaemonSetController(ctx),
    new StatefulSetController(ctx),
    new VmController(ctx),
    new VmiController(ctx, build.guestProfiles),
    new VolumeController(ctx),
    new LonghornNodeController(ctx, build.dataNodes),
    new InstanceManagerController(ctx, build.dataNodes),
    scaleAvailable,
    rancherManager,
    new AddonController(ctx, build.addonCatalog),
    new VipController(ctx, extra.reachability),
    bundles,
    new BackupController(ctx),
  ];
  return { all, bundles, scaleAvailable, rancherManager };
}

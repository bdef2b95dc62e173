// The object shapes fallow reads and the twin serves, narrowed to the fields used.
// Sources: ../shared/harvester-facts.md (Harvester v1.4–v1.9, KubeVirt v1, Longhorn v1beta2).
import type { KObject } from '../twin/store/types.js';

export type { KObject };

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface NodeObject extends KObject {
  spec?: { taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean; providerID?: string };
  status?: {
    addresses?: { type: string; address: string }[];
    conditions?: Condition[];
    nodeInfo?: { kubeletVersion?: string; machineID?: string; bootID?: string };
  };
}

export interface PodObject extends KObject {
  spec?: {
    nodeName?: string;
    terminationGracePeriodSeconds?: number;
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    containers?: { name: string; image?: string }[];
  };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: Condition[];
    podIP?: string;
    containerStatuses?: {
      name: string;
      ready: boolean;
      restartCount: number;
      state?: { running?: object; waiting?: { reason?: string }; terminated?: { reason?: string } };
    }[];
  };
}

export type RunStrategy = 'Always' | 'Halted' | 'Manual' | 'RerunOnFailure' | 'Once';

export interface VirtualMachineObject extends KObject {
  spec?: {
    runStrategy?: RunStrategy;
    running?: boolean;
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        terminationGracePeriodSeconds?: number;
        nodeSelector?: Record<string, string>;
        volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
  status?: { printableStatus?: string; ready?: boolean; created?: boolean };
}

export type VmiPhase = 'Pending' | 'Scheduling' | 'Scheduled' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface VirtualMachineInstanceObject extends KObject {
  status?: {
    phase?: VmiPhase;
    nodeName?: string;
    interfaces?: { ipAddress?: string; name?: string }[];
    conditions?: Condition[];
  };
}

export type AddonStatus =
  | ''
  | 'AddonEnabling'
  | 'AddonDeploySuccessful'
  | 'AddonDeployFailed'
  | 'AddonDisabling'
  | 'AddonDisabled'
  | 'AddonUpdating';

export interface AddonObject extends KObject {
  spec?: { enabled: boolean; repo?: string; chart?: string; version?: string; valuesContent?: string };
  status?: { status?: AddonStatus; conditions?: Condition[] };
}

export interface SettingObject extends KObject {
  value?: string;
  default?: string;
  /** Settings Harvester reconciles (storage-network, …) report a `configured` condition. */
  status?: { conditions?: Condition[] };
}

export type VolumeState = 'creating' | 'attached' | 'detached' | 'attaching' | 'detaching' | 'deleting';
export type VolumeRobustness = 'healthy' | 'degraded' | 'faulted' | 'unknown';

export interface LonghornVolumeObject extends KObject {
  spec?: { numberOfReplicas?: number; dataEngine?: 'v1' | 'v2'; size?: string };
  status?: {
    state?: VolumeState;
    robustness?: VolumeRobustness;
    currentNodeID?: string;
    kubernetesStatus?: {
      pvName?: string;
      namespace?: string;
      pvcName?: string;
      workloadsStatus?: { podName: string; podStatus?: string; workloadName?: string; workloadType?: string }[];
    };
  };
}

export interface SupportBundleObject extends KObject {
  spec?: { description: string; issueURL?: string };
  status?: { state?: '' | 'generating' | 'ready' | 'error'; progress?: number; filename?: string; filesize?: number };
}

export interface DeploymentObject extends KObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { nodeSelector?: Record<string, string> } };
  };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

export interface ServiceObject extends KObject {
  spec?: { type?: string; clusterIP?: string; ports?: { port: number; nodePort?: number; protocol?: string; name?: string }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface VirtualMachineBackupObject extends KObject {
  spec?: { source: { apiGroup: string; kind: string; name: string }; type?: 'backup' | 'snapshot' };
  status?: { readyToUse?: boolean; error?: { message?: string } };
}

export interface ConfigMapObject extends KObject {
  data?: Record<string, string>;
}

export interface PvcObject extends KObject {
  spec?: { volumeName?: string; storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  status?: { phase?: 'Pending' | 'Bound' | 'Lost' };
}

export interface NamespaceObject extends KObject {
  status?: { phase?: 'Active' | 'Terminating' };
}

export interface LonghornNodeObject extends KObject {
  spec?: { allowScheduling?: boolean };
  status?: { conditions?: Condition[] };
}

/** Harvester Seeder's metal.harvesterhci.io/v1alpha1 Inventory: a node's BMC. */
export interface SeederInventoryObject extends KObject {
  spec?: {
    baseboardSpec?: { connection?: { host?: string; port?: number; insecureTLS?: boolean; authSecretRef?: { name?: string; namespace?: string } } };
    powerActionRequested?: string;
  };
  status?: { status?: string };
}

/**
 * The shape each kind (KindName, ./harvester.ts) reads as; KObject where fallow reads
 * nothing kind-specific. The one kind → type table: the cluster layer's typed get/list use it.
 */
export interface KindShapes {
  Namespace: NamespaceObject;
  Node: NodeObject;
  Pod: PodObject;
  Service: ServiceObject;
  ConfigMap: ConfigMapObject;
  Secret: KObject;
  Event: KObject;
  PersistentVolumeClaim: PvcObject;
  PersistentVolume: KObject;
  Deployment: DeploymentObject;
  ReplicaSet: KObject;
  DaemonSet: KObject;
  StatefulSet: KObject;
  VirtualMachine: VirtualMachineObject;
  VirtualMachineInstance: VirtualMachineInstanceObject;
  Addon: AddonObject;
  Setting: SettingObject;
  SupportBundle: SupportBundleObject;
  VirtualMachineBackup: VirtualMachineBackupObject;
  LonghornVolume: LonghornVolumeObject;
  LonghornNode: LonghornNodeObject;
  LonghornReplica: KObject;
  ClusterNetwork: KObject;
  VlanConfig: KObject;
  VlanStatus: KObject;
  NetworkAttachmentDefinition: KObject;
  SeederInventory: SeederInventoryObject;
}

// The storage network as Harvester leaves it once configured (when the scenario's
// `settings.storage-network` is set): the NAD harvester-system/storagenetwork-<random>
// made from the value, the setting annotated with it and its condition `configured`
// True/Completed; and Longhorn's instance-manager pod on every data node, carrying it.
import { createHash } from 'node:crypto';
import { Kinds, StorageNetwork } from '../../common/harvester.js';
import type { SettingObject } from '../../common/harvester-types.js';
import { instanceManagerName, instanceManagerPod, storageAttachment } from '../controllers/longhorn/instance-managers.js';
import { LonghornNamespace } from '../controllers/longhorn/objects.js';
import type { KObject } from '../store/types.js';
import type { BuildContext } from './build-context.js';

interface StorageNetworkValue {
  vlan?: number;
  clusterNetwork?: string;
  range?: string;
  exclude?: string[];
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/** The setting's annotations once Harvester made its NAD; undefined when none is set. */
export async function buildStorageNad(b: BuildContext, value: string): Promise<Record<string, string> | undefined> {
  if (!value) return undefined;
  const v = JSON.parse(value) as StorageNetworkValue;
  const config = JSON.stringify({
    cniVersion: '0.3.1',
    type: 'bridge',
    bridge: `${v.clusterNetwork ?? 'mgmt'}-br`,
    promiscMode: true,
    vlan: v.vlan ?? 0,
    ipam: { type: 'whereabouts', range: v.range ?? '', ...(v.exclude?.length ? { exclude: v.exclude } : {}) },
  });
  const name = `${StorageNetwork.nadPrefix}${b.rng.suffix()}`;
  await b.create<KObject>({
    apiVersion: Kinds.NetworkAttachmentDefinition.apiVersion,
    kind: Kinds.NetworkAttachmentDefinition.kind,
    metadata: {
      name,
      namespace: StorageNetwork.nadNamespace,
      annotations: { [StorageNetwork.nadMarker]: 'true' },
      labels: {
        [StorageNetwork.nadHashLabel]: sha1(value),
        'network.harvesterhci.io/clusternetwork': v.clusterNetwork ?? 'mgmt',
        'network.harvesterhci.io/ready': 'true',
        'network.harvesterhci.io/type': 'L2VlanNetwork',
        'network.harvesterhci.io/vlan-id': String(v.vlan ?? 0),
      },
    },
    spec: { config },
  });
  return { [StorageNetwork.hashAnnotation]: sha1(value), [StorageNetwork.nadAnnotation]: `${StorageNetwork.nadNamespace}/${name}`, [StorageNetwork.oldNadAnnotation]: '' };
}

/** The `configured` condition of a storage network Harvester finished applying. */
export function configuredStatus(since: string): SettingObject['status'] {
  return { conditions: [{ type: StorageNetwork.condition, status: 'True', reason: StorageNetwork.completed, lastTransitionTime: since }] };
}

/** Longhorn's instance-manager pods, Running on every data node (with the storage network when set). */
export async function buildInstanceManagers(b: BuildContext): Promise<void> {
  const setting = await b.api.get<SettingObject>(Kinds.Setting, undefined, StorageNetwork.setting);
  const nads = new Set<string>();
  const nad = setting?.metadata.annotations?.[StorageNetwork.nadAnnotation];
  if (nad) nads.add(nad);
  const dataNodes = b.dataNodes();
  for (const node of dataNodes) {
    const lhNode = await b.api.get<KObject>(Kinds.LonghornNode, LonghornNamespace, node);
    const sn = storageAttachment(setting, (ref) => nads.has(ref), dataNodes, node, true);
    await b.startPod(instanceManagerPod(node, lhNode?.metadata.uid, `${LonghornNamespace}/${instanceManagerName(node)}`, sn), node);
  }
}

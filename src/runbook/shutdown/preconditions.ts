// Seed 1 — Precondition: a support bundle (1.1) and the network facts (1.2), both taken
// off the cluster before anything is changed.
import { Namespaces, RecordedSettings, Vip } from '../../common/harvester.js';
import { redactSetting } from '../../common/redact.js';
import { redactOptionsFor, stampField, UidSalted, type RedactionPlan } from '../../common/redaction.js';
import type { ConfigMapObject, KObject, NodeObject, ServiceObject, SettingObject } from '../../common/harvester-types.js';
import type { Step } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, toJson, type NetworkFacts } from '../facts.js';
import { bundleRbac, takeSupportBundle } from '../lib/bundle.js';
import { nodeFact } from '../lib/nodes.js';
import { recordingRedaction } from '../lib/snapshot.js';

export const generateSupportBundle: Step<RunbookEnv> = {
  id: 'shutdown.support-bundle',
  title: 'Generate a support bundle',
  seed: '1.1',
  phase: 'Precondition',
  destructive: false,
  records: [Facts.bundleBefore.key],
  waitsFor: 'the SupportBundle to reach state ready, then its download into the run directory',
  risks: ['bundle generation fails (state error): the run stops before anything changes'],
  rbac: bundleRbac,
  enabled: (ctx) => !ctx.env.options.skipBundles,
  async check(ctx) {
    const b = readFact(ctx.facts, Facts.bundleBefore);
    return b ? { done: true, detail: `${b.file} (${b.bytes} bytes)` } : { done: false };
  },
  async describe() {
    return ['create a SupportBundle in harvester-system and download it into the run directory'];
  },
  act: (ctx) => takeSupportBundle(ctx, 'before', Facts.bundleBefore.key),
};

export const recordNetworkFacts: Step<RunbookEnv> = {
  id: 'shutdown.record-network',
  title: 'Record the network facts',
  seed: '1.2',
  phase: 'Precondition',
  destructive: false,
  records: [Facts.identity.key, Facts.network.key],
  risks: ['a node IP that looks DHCP-assigned may change at restart (warned)'],
  rbac: [
    { group: '', resource: 'namespaces', verbs: ['get'] },
    { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
    { group: '', resource: 'services', verbs: ['get'], namespace: Vip.service.namespace },
    { group: '', resource: 'configmaps', verbs: ['get'], namespace: Vip.configMap.namespace },
    { group: 'harvesterhci.io', resource: 'settings', verbs: ['get', 'list'] },
    { group: 'network.harvesterhci.io', resource: 'clusternetworks', verbs: ['list'] },
    { group: 'network.harvesterhci.io', resource: 'vlanconfigs', verbs: ['list'] },
    { group: 'k8s.cni.cncf.io', resource: 'network-attachment-definitions', verbs: ['list'] },
  ],
  async check(ctx) {
    return readFact(ctx.facts, Facts.network) ? { done: true } : { done: false };
  },
  async act(ctx) {
    // The kube-system UID lets the restart check, once the API answers, that the cluster
    // that came back is the one that went down.
    const [ns, version] = await Promise.all([
      ctx.env.cluster.get('Namespace', undefined, Namespaces.kubeSystem),
      ctx.env.cluster.get<SettingObject>('Setting', undefined, 'server-version'),
    ]);
    const v = version?.value || version?.default;
    await ctx.record(Facts.identity.key, toJson({ uid: ns?.metadata.uid ?? '', ...(v ? { version: v } : {}) }));
    const facts = await gatherNetworkFacts(ctx.env, ns?.metadata.uid, recordingRedaction(ctx.env));
    for (const w of facts.warnings) await ctx.warn(w);
    await ctx.record(Facts.network.key, toJson(facts));
  },
};

/** `uid` (the kube-system UID) and `redaction` key the digests of the settings' masked secrets (../../common/redaction.ts). */
export async function gatherNetworkFacts(env: RunbookEnv, uid?: string, redaction: RedactionPlan = UidSalted): Promise<NetworkFacts> {
  const { cluster } = env;
  const [nodes, settings, cns, vlans, nads, vipCm, svc] = await Promise.all([
    cluster.list<NodeObject>('Node'),
    cluster.list<SettingObject>('Setting'),
    cluster.list('ClusterNetwork').catch(notServed),
    cluster.list('VlanConfig').catch(notServed),
    cluster.list('NetworkAttachmentDefinition').catch(notServed),
    cluster.get<ConfigMapObject>('ConfigMap', Vip.configMap.namespace, Vip.configMap.name),
    cluster.get<ServiceObject>('Service', Vip.service.namespace, Vip.service.name),
  ]);
  const warnings: string[] = [];
  const nodeFacts = nodes.map(nodeFact).sort((a, b) => a.name.localeCompare(b.name));
  for (const n of nodeFacts) {
    if (!n.ip) warnings.push(`node ${n.name} has no InternalIP: its address cannot be checked at restart`);
  }
  for (const n of nodes) {
    // Harvester records how the management interface got its address; "dhcp" without a
    // reservation is the seed's biggest restart risk (1.2).
    const mode = n.metadata.annotations?.['harvesterhci.io/management-ip-mode'];
    if (mode && mode.toLowerCase() === 'dhcp') {
      warnings.push(`node ${n.metadata.name} takes its IP from DHCP: make sure the DHCP server has a reservation for it, or the cluster may not come back (seed 1.2)`);
    }
  }
  // Redacted before they are recorded: the journal never holds a registry or proxy password.
  // The network re-check only needs hosts and URLs from them (../lib/net-expect.ts).
  const settingValues: Record<string, string> = {};
  const redact = redactOptionsFor(redaction, uid);
  for (const s of settings) {
    const name = s.metadata.name;
    if ((RecordedSettings as readonly string[]).includes(name)) settingValues[name] = redactSetting(name, s.value ?? s.default ?? '', redact);
  }
  const vmNetworks = nads.map((n) => {
    const cfg = safeJson((n.spec as { config?: string } | undefined)?.config);
    const vlan = typeof cfg?.vlan === 'number' ? cfg.vlan : undefined;
    return { namespace: n.metadata.namespace ?? 'default', name: n.metadata.name, ...(vlan !== undefined ? { vlan } : {}) };
  });
  const vlanConfigs = vlans.map((v) => {
    const spec = (v.spec ?? {}) as { clusterNetwork?: string; uplink?: { nics?: string[] } };
    return { name: v.metadata.name, ...(spec.clusterNetwork ? { clusterNetwork: spec.clusterNetwork } : {}), nics: spec.uplink?.nics ?? [] };
  });
  const vipData = vipCm?.data ?? {};
  const externalIp = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
  if (!externalIp) warnings.push(`${Vip.service.namespace}/${Vip.service.name} has no EXTERNAL-IP now: the VIP cannot be checked at restart`);
  return {
    nodes: nodeFacts,
    vip: {
      ...(vipData.ip ? { configured: vipData.ip } : {}),
      ...(externalIp ? { externalIp } : {}),
      ...(vipData.mode ? { mode: vipData.mode } : {}),
    },
    settings: settingValues,
    ...stampField(redaction),
    clusterNetworks: cns.map((c) => c.metadata.name).sort(),
    vlanConfigs,
    vmNetworks,
    warnings,
  };
}

/** A kind this Harvester does not serve (404) has nothing to record; anything else (a 403) stops the step. */
function notServed(err: unknown): KObject[] {
  if ((err as { statusCode?: number } | undefined)?.statusCode === 404) return [];
  throw err;
}

function safeJson(s: string | undefined): Record<string, unknown> | undefined {
  if (!s) return undefined;
  try {
    return JSON.parse(s) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

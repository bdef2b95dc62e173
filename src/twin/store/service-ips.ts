// A new Service's addresses, as kube-apiserver's allocators assign them: a cluster IP from
// the service range (Harvester's RKE2 uses 10.53.0.0/16), the single IPv4 family, and a
// node port per port for NodePort and LoadBalancer Services. The twin hands them out in
// order rather than at random, so a scenario rebuilds the same addresses.
import type { KObject } from './types.js';

type Obj = Record<string, unknown>;

const rangePrefix = '10.53';
/** The first addresses are the kubernetes Service's and the cluster DNS's in a real cluster. */
const firstHost = 10;
const nodePortMin = 30000;
const nodePortMax = 32767;

interface Port {
  port?: number;
  nodePort?: number;
}

function used(existing: Iterable<KObject>): { ips: Set<string>; nodePorts: Set<number> } {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of existing) {
    const spec = (s.spec ?? {}) as { clusterIPs?: string[]; clusterIP?: string; ports?: Port[] };
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) ips.add(ip);
    for (const p of spec.ports ?? []) if (p.nodePort) nodePorts.add(p.nodePort);
  }
  return { ips, nodePorts };
}

function freeIp(taken: Set<string>): string {
  for (let n = firstHost; n < 65_535; n++) {
    const ip = `${rangePrefix}.${n >> 8}.${n & 255}`;
    if (!taken.has(ip)) return ip;
  }
  throw new Error(`the service range ${rangePrefix}.0.0/16 is full`);
}

function freeNodePort(taken: Set<number>): number {
  for (let p = nodePortMin; p <= nodePortMax; p++) if (!taken.has(p)) return p;
  throw new Error(`no free node port in ${nodePortMin}-${nodePortMax}`);
}

/** Fills clusterIP(s), ipFamilies, ipFamilyPolicy and node ports of a Service being created. */
export function allocateServiceAddresses(svc: KObject, existing: Iterable<KObject>): void {
  const spec = (svc.spec ?? {}) as Obj & { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: Port[] };
  svc.spec = spec;
  if (spec.type === 'ExternalName') return;
  const taken = used(existing);
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = spec.clusterIPs?.[0] ?? freeIp(taken.ips);
  if (spec.clusterIPs === undefined) spec.clusterIPs = [spec.clusterIP];
  if (spec.ipFamilies === undefined) spec.ipFamilies = ['IPv4'];
  if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      p.nodePort = freeNodePort(taken.nodePorts);
      taken.nodePorts.add(p.nodePort);
    }
  }
}

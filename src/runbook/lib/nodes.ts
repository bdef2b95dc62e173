// Node facts from Node objects: roles, InternalIP, readiness, witness (seed 4, facts "Nodes").
import { Labels } from '../../common/harvester.js';
import type { NodeObject } from '../../common/harvester-types.js';
import type { NodeFact } from '../facts.js';

export function internalIp(n: NodeObject): string {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
}

export function isReady(n: NodeObject): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function nodeFact(n: NodeObject): NodeFact {
  const labels = n.metadata.labels ?? {};
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  const witness = labels[Labels.harvesterWitness] === 'true';
  const etcd = labels[Labels.etcd] === 'true' || witness;
  const controlPlane = labels[Labels.controlPlane] === 'true' && !witness;
  const mac = n.metadata.annotations?.['harvesterhci.io/mac'] ?? undefined;
  return { name: n.metadata.name, ip: internalIp(n), ...(mac ? { mac } : {}), roles, etcd, witness, controlPlane };
}

export function workers(nodes: NodeFact[]): NodeFact[] {
  return nodes.filter((n) => !n.etcd && !n.controlPlane);
}

// Plan's lists as evidence for the access review: kube-apiserver authorizes a request
// before it serves it, so a list that got an answer proves `list` on that resource (and
// namespace, or all of them) is allowed, and the review need not ask about it (one
// SelfSubjectAccessReview, one QPS token saved per rule plan itself exercises). A get
// proves less: it names its object, and an RBAC rule may allow that name only, while the
// review asks about any name; gets and failed lists are left to the review.
import type { AccessCheck } from '../../cluster/access.js';
import type { Cluster } from '../../cluster/client.js';
import { kindInfo } from '../../cluster/kinds.js';
import type { KindName } from '../../common/harvester.js';
import type { KObject } from '../../common/harvester-types.js';
import type { ListOpts } from '../../runbook/ports.js';

/** What plan reads through: the parts of Cluster it uses. */
export type PlanReader = Pick<Cluster, 'server' | 'get' | 'list' | 'etcdMembers'>;

export const ProvenReason = 'fallow plan made this request';

/** Reads through a Cluster and keeps, per answered list, the access it proved. */
export class ProvingReader implements PlanReader {
  private readonly answered = new Map<string, AccessCheck>();

  constructor(private readonly cluster: PlanReader) {}

  get server(): string {
    return this.cluster.server;
  }

  /** Allowed checks, one per (resource, namespace) listed. */
  get proven(): AccessCheck[] {
    return [...this.answered.values()];
  }

  get<T extends KObject = KObject>(kind: KindName, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.cluster.get<T>(kind, namespace, name);
  }

  async list<T extends KObject = KObject>(kind: KindName, opts: ListOpts & { limit?: number } = {}): Promise<T[]> {
    const items = await this.cluster.list<T>(kind, opts);
    this.prove(kind, opts.namespace);
    return items;
  }

  /** Not evidence: exec goes over a WebSocket upgrade (a GET), and RBAC may also ask for `create`. */
  etcdMembers(viaNode: string): ReturnType<Cluster['etcdMembers']> {
    return this.cluster.etcdMembers(viaNode);
  }

  private prove(kind: KindName, namespace: string | undefined): void {
    const { group, plural, namespaced } = kindInfo(kind);
    const ns = namespaced ? namespace : undefined;
    this.answered.set(`${group}|${plural}|${ns ?? ''}`, { group, resource: plural, verb: 'list', ...(ns ? { namespace: ns } : {}), allowed: true, reason: ProvenReason });
  }
}

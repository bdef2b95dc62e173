// The exec handler the twin's API server calls for `kubectl exec`: the kubelet of the pod's
// node must be running (otherwise the apiserver cannot reach it, as on a real cluster);
// inside kube-system/etcd-<node> `etcdctl` answers from the etcd model; other binaries are
// not in the twin's containers.
import type { KObject } from '../store/types.js';
import type { Kubelets } from '../controllers/kubelets.js';
import { runEtcdctl, type ExecResult } from './etcdctl.js';
import type { EtcdModel } from './model.js';

export function execHandler(etcd: EtcdModel, kubelets: Kubelets, now: () => number) {
  return async (pod: KObject, container: string, command: string[]): Promise<ExecResult> => {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    if (!kubelets.running(node)) {
      throw new Error(`error dialing backend: dial tcp ${kubelets.ip(node)}:10250: connect: no route to host`);
    }
    const isEtcd = pod.metadata.namespace === 'kube-system' && pod.metadata.name === `etcd-${node}` && container === 'etcd';
    if (isEtcd) return runEtcdctl(etcd, node, command, now);
    const bin = command[0] ?? '';
    return { stdout: '', stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${bin}": executable file not found in $PATH: unknown\n`, exitCode: 126 };
  };
}

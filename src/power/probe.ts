// Is a TCP port accepting connections? The no-BMC evidence that a node's OS is up (its
// SSH port answers) or down (refused / silent), next to Kubernetes' Ready condition.
import { Socket } from 'node:net';

export function tcpPortOpen(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (open: boolean) => {
      sock.destroy();
      resolve(open);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.connect(port, host);
  });
}

// Loopback only: every power front binds to 127.0.0.0/8, each twin node its own address
// (127.0.1.N), and free ports are found by asking the kernel, not by guessing.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) throw new Error(`twin power fronts bind to 127.0.0.0/8 only, not ${host}`);
}

/** 127.0.1.(index+1): the address of the index-th twin node. */
export function nodeLoopbackAddress(index: number): string {
  if (index < 0 || index > 253) throw new Error(`no loopback address for node index ${index}`);
  return `127.0.1.${index + 1}`;
}

/** A TCP port free on `host` right now (for daemons that need it in a config file). */
export function freeTcpPort(host: string): Promise<number> {
  assertLoopback(host);
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function freeUdpPort(host: string): Promise<number> {
  assertLoopback(host);
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, host, () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}

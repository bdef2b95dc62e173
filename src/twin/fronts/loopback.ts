// Loopback only: every power front binds to 127.0.0.0/8, each twin node its own address
// (127.0.1.N), and free ports are found by asking the kernel, not by guessing.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
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

// A node's daemons stop and start again on the same port as the twin node goes off and on.
// Ports the kernel hands out (listen on 0, the source port of every outgoing connection)
// come from its ephemeral range, so while a daemon was down any socket of any process could
// take its port, and the node would come back with its SSH or BMC port "closed" — which
// happened in CI with two test files running side by side. Ports below that range are
// never handed out by the kernel; they are only taken by someone asking for that number.
const ephemeralLow = (() => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768; // Linux's default; elsewhere the fallback below still finds a port
  }
})();
const firstPort = 10_000;

/** Port numbers to try on `host`: random ones below the ephemeral range, then the kernel's pick (0). */
function candidates(): number[] {
  const span = ephemeralLow - firstPort;
  const out: number[] = [];
  if (span > 100) for (let i = 0; i < 20; i++) out.push(firstPort + Math.floor(Math.random() * span));
  return [...out, 0];
}

async function firstFree(tryPort: (port: number) => Promise<number>): Promise<number> {
  let last: unknown;
  for (const port of candidates()) {
    try {
      return await tryPort(port);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error('no free port');
}

/** A TCP port free on `host` right now, below the kernel's ephemeral range when it can be. */
export function freeTcpPort(host: string): Promise<number> {
  assertLoopback(host);
  return firstFree(
    (want) =>
      new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(want, host, () => {
          const addr = srv.address();
          const port = typeof addr === 'object' && addr ? addr.port : 0;
          srv.close(() => resolve(port));
        });
      }),
  );
}

export function freeUdpPort(host: string): Promise<number> {
  assertLoopback(host);
  return firstFree(
    (want) =>
      new Promise((resolve, reject) => {
        const sock = createSocket('udp4');
        sock.once('error', (err) => {
          sock.close();
          reject(err);
        });
        sock.bind(want, host, () => {
          const port = sock.address().port;
          sock.close(() => resolve(port));
        });
      }),
  );
}

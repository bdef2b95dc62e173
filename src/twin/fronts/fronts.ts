// startPowerFronts: everything a twin needs to be powered like a real cluster — per node
// an SSH daemon (in-process ssh2, or a real OpenSSH sshd) that lives while the node is on,
// and a BMC (Redfish HTTPS, or a real ipmi_sim) — plus the power inventory that points
// at them, a known_hosts with their host keys, and the user key. Secrets go into files
// of mode 0600; the inventory only names those files.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inventoryToYaml, InventorySchemaVersion, type NodeDoc, type PowerInventoryDoc } from '../../power/inventory.js';
import { knownHostName } from '../../power/known-hosts.js';
import { writeSecretFile } from '../../power/secrets.js';
import { createServerPki } from '../apiserver/tls.js';
import type { TwinNodePower } from '../power.js';
import { startControlEndpoint, type ControlEndpoint } from './control-server.js';
import { followPower, type Follower, type NodeService } from './follow-power.js';
import { startIpmiSim, type IpmiSimPeer } from './ipmi-sim.js';
import { freeTcpPort, freeUdpPort, nodeLoopbackAddress } from './loopback.js';
import { TwinRedfishServer } from './redfish-server.js';
import { TwinSshServer, type SshCommandHandler } from './ssh-server.js';
import { prepareSshd, type SshdPeer } from './sshd.js';
import { generateEd25519KeyPair } from './ssh-keys.js';

const run = promisify(execFile);

export interface FrontNode {
  name: string;
  /** Loopback address; default 127.0.1.(index+1). */
  address?: string;
}

export interface PowerFrontsOptions {
  /** Directory for the inventory, keys, secrets and daemon files (the caller cleans it). */
  dir: string;
  ssh?: 'inprocess' | 'sshd';
  bmc?: 'redfish' | 'ipmi' | 'none';
  /** Redfish BMCs without a session service (clients must fall back to Basic). */
  redfishSessions?: boolean;
  /** Login user; default "rancher" in-process, and the current user for sshd (it checks). */
  user?: string;
  bmcUsername?: string;
  /** In-process SSH only: answers commands besides shutdown (e.g. the network checks). */
  sshCommands?: SshCommandHandler;
}

export interface FrontNodeInfo {
  name: string;
  address: string;
  sshPort: number;
  bmcPort?: number;
  bmcPasswordFile?: string;
  /** Pids of the real daemons (sshd, ipmi_sim) while they run. */
  pids(): number[];
}

export interface PowerFronts {
  inventoryPath: string;
  knownHostsPath: string;
  userKeyPath: string;
  controlUrl?: string;
  nodes: FrontNodeInfo[];
  redfish: Map<string, TwinRedfishServer>;
  /** Resolves when daemons have followed the latest power changes. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPowerFronts(power: TwinNodePower, nodes: FrontNode[], opts: PowerFrontsOptions): Promise<PowerFronts> {
  const sshMode = opts.ssh ?? 'inprocess';
  const bmcMode = opts.bmc ?? 'redfish';
  const user = opts.user ?? (sshMode === 'sshd' ? userInfo().username : 'rancher');
  const bmcUser = opts.bmcUsername ?? 'admin';
  await mkdir(join(opts.dir, 'secrets'), { recursive: true, mode: 0o700 });

  const userKey = generateEd25519KeyPair('fallow-twin-operator');
  const userKeyPath = join(opts.dir, 'id_ed25519');
  await writeFile(userKeyPath, userKey.private, { mode: 0o600 });

  const stops: (() => Promise<void>)[] = [];
  const followers: Follower[] = [];
  const stopAll = async () => {
    for (const f of followers) f.dispose();
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  let control: ControlEndpoint | undefined;
  if (sshMode === 'sshd' || bmcMode === 'ipmi') {
    control = await startControlEndpoint(power);
    stops.push(() => control!.stop());
  }

  const doc: PowerInventoryDoc = {
    schemaVersion: InventorySchemaVersion,
    kind: 'PowerInventory',
    defaults: { ssh: { user, keyFile: userKeyPath, knownHostsFile: join(opts.dir, 'known_hosts') } },
    nodes: {},
  };
  const knownHosts: string[] = [];
  const infos: FrontNodeInfo[] = [];
  const redfish = new Map<string, TwinRedfishServer>();
  const addresses = nodes.map((n, i) => n.address ?? nodeLoopbackAddress(i));
  // Each BMC has its own CA, as real ones do; RSA key generation is the slow part, so in parallel.
  const pkis = bmcMode === 'redfish' ? Promise.all(addresses.map((a) => createServerPki(a))) : undefined;
  pkis?.catch(() => undefined);
  try {
    for (const [i, n] of nodes.entries()) {
      const address = addresses[i]!;
      const nodeDir = join(opts.dir, n.name);
      await mkdir(nodeDir, { recursive: true });
      const sshPort = await freeTcpPort(address);
      const pids: (() => number | undefined)[] = [];

      let service: NodeService;
      let hostPublic: string;
      if (sshMode === 'sshd') {
        const hostKeyFile = join(nodeDir, 'ssh_host_ed25519_key');
        await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `twin-${n.name}`, '-f', hostKeyFile]);
        hostPublic = await readFile(`${hostKeyFile}.pub`, 'utf8');
        const sshd: SshdPeer = await prepareSshd({
          node: n.name, address, port: sshPort, dir: join(nodeDir, 'sshd'), hostKeyFile,
          authorizedKeys: [userKey.public], controlUrl: control!.url,
        });
        pids.push(() => sshd.pid());
        service = sshd;
      } else {
        const hostKey = generateEd25519KeyPair();
        hostPublic = hostKey.public;
        service = new TwinSshServer({ node: n.name, address, port: sshPort, hostKey: hostKey.private, authorizedKey: userKey.public, user, power, ...(opts.sshCommands ? { commands: opts.sshCommands } : {}) });
      }
      const [keyType, keyB64] = hostPublic.trim().split(/\s+/);
      knownHosts.push(`${knownHostName(address, sshPort)} ${keyType} ${keyB64}`);
      followers.push(followPower(power, n.name, service));
      stops.push(() => service.stop());

      const entry: NodeDoc = { ssh: { address, port: sshPort }, location: `twin node ${n.name} (${address})` };
      const info: FrontNodeInfo = { name: n.name, address, sshPort, pids: () => pids.map((p) => p()).filter((p): p is number => p !== undefined) };
      if (bmcMode !== 'none') {
        const password = randomBytes(12).toString('base64url');
        const passwordFile = join(opts.dir, 'secrets', `${n.name}.bmc-password`);
        await writeSecretFile(passwordFile, password);
        info.bmcPasswordFile = passwordFile;
        if (bmcMode === 'redfish') {
          const pki = (await pkis!)[i]!;
          const caFile = join(nodeDir, 'bmc-ca.pem');
          await writeFile(caFile, pki.caPem);
          const port = await freeTcpPort(address);
          const server = new TwinRedfishServer({
            node: n.name, address, port, username: bmcUser, password, power, pki, sessions: opts.redfishSessions !== false,
          });
          await server.start();
          stops.push(() => server.stop());
          redfish.set(n.name, server);
          info.bmcPort = server.port;
          entry.bmc = { driver: 'redfish', address, port: server.port, username: bmcUser, passwordFile, tlsCaFile: caFile };
        } else {
          const port = await freeUdpPort(address);
          const sim: IpmiSimPeer = await startIpmiSim({
            node: n.name, address, port, dir: join(nodeDir, 'ipmi'), username: bmcUser, password, controlUrl: control!.url,
          });
          stops.push(() => sim.stop());
          pids.push(() => sim.pid());
          info.bmcPort = port;
          entry.bmc = { driver: 'ipmi', address, port, username: bmcUser, passwordFile, cipherSuite: 3 };
        }
      }
      doc.nodes[n.name] = entry;
      infos.push(info);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const knownHostsPath = join(opts.dir, 'known_hosts');
  await writeFile(knownHostsPath, knownHosts.join('\n') + '\n', { mode: 0o600 });
  const inventoryPath = join(opts.dir, 'power-inventory.yaml');
  await writeFile(inventoryPath, inventoryToYaml(doc), { mode: 0o600 });
  const settled = async () => {
    await Promise.all(followers.map((f) => f.settled()));
  };
  await settled();
  return {
    inventoryPath,
    knownHostsPath,
    userKeyPath,
    ...(control ? { controlUrl: control.url } : {}),
    nodes: infos,
    redfish,
    settled,
    stop: stopAll,
  };
}

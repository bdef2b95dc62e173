// The Redfish driver against the twin's Redfish front (HTTPS, own CA, sessions), and the
// front's resources against the DMTF required properties.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { FatalError, UnreachableError, UsageError } from '../../src/common/errors.js';
import { parseInventory, type PowerInventory } from '../../src/power/inventory.js';
import { RedfishClient } from '../../src/power/redfish-client.js';
import { RedfishDriver } from '../../src/power/redfish.js';
import { Secret } from '../../src/power/secrets.js';
import { createServerPki, type ServerPki } from '../../src/twin/apiserver/tls.js';
import { TwinRedfishServer } from '../../src/twin/fronts/redfish-server.js';
import {
  CollectionShape,
  ComputerSystemShape,
  ErrorShape,
  ServiceRootShape,
  SessionServiceShape,
  SessionShape,
} from './helpers/redfish-shapes.js';
import { TestNodePower } from './helpers/twin-power.js';

const ADDRESS = '127.0.1.1';
const PASSWORD = 'rf-Pa55-unit-secret';

let dir: string;
let pki: ServerPki;
let otherPki: ServerPki;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-redfish-'));
  [pki, otherPki] = await Promise.all([createServerPki(ADDRESS), createServerPki(ADDRESS)]);
  await writeFile(join(dir, 'ca.pem'), pki.caPem);
  await writeFile(join(dir, 'other-ca.pem'), otherPki.caPem);
  await writeFile(join(dir, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'wrong-pw'), 'not-the-password\n', { mode: 0o600 });
});

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function bmc(o: { sessions?: boolean } = {}) {
  const power = new TestNodePower(['n1'], new ScaledClock(200), { shutdownMs: 2000, bootMs: 2000 });
  const server = new TwinRedfishServer({ node: 'n1', address: ADDRESS, port: 0, username: 'admin', password: PASSWORD, power, pki, ...o });
  await server.start();
  cleanup.push(() => power.dispose(), () => server.stop());
  return { power, server };
}

function inventory(port: number, extra = 'tlsCaFile: ca.pem', passwordFile = 'pw'): PowerInventory {
  return parseInventory(
    `schemaVersion: 1\nkind: PowerInventory\nnodes:\n  n1:\n    bmc: {driver: redfish, address: ${ADDRESS}, port: ${port}, username: admin, passwordFile: ${passwordFile}, ${extra}}\n`,
    join(dir, 'power.yaml'),
  );
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('twin Redfish front: DMTF shapes', () => {
  it('serves ServiceRoot, Systems, ComputerSystem, SessionService and Sessions with the required properties', async () => {
    const { server, power } = await bmc();
    const inv = inventory(server.port);
    const client = new RedfishClient('n1', inv.node('n1').bmc!, new Secret(PASSWORD));
    const root = await client.serviceRoot();
    ServiceRootShape.parse(root);
    const systems = await client.get('/redfish/v1/Systems');
    CollectionShape('ComputerSystemCollection').parse(systems);
    const system = ComputerSystemShape.parse(await client.get('/redfish/v1/Systems/1'));
    expect(system.PowerState).toBe('On');
    expect(system.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual(['On', 'ForceOff', 'GracefulShutdown']);
    SessionServiceShape.parse(await client.get('/redfish/v1/SessionService'));
    const sessions = CollectionShape('SessionCollection').parse(await client.get('/redfish/v1/SessionService/Sessions'));
    expect(sessions.Members).toHaveLength(1);
    SessionShape.parse(await client.get(sessions.Members[0]!['@odata.id']));
    power.faults.set({ nodeWontPowerOff: ['n1'] });
    power.requestShutdown('n1');
    expect(ComputerSystemShape.parse(await client.get('/redfish/v1/Systems/1')).PowerState).toBe('PoweringOff');
    const bad = await client.call('POST', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { ResetType: 'Nmi' });
    expect(bad.status).toBe(400);
    ErrorShape.parse(bad.body);
    await client.logout();
    expect(server.activeSessions()).toBe(0);
  });
});

describe('RedfishDriver', () => {
  it('reads PowerState and resets through the action target; closes its session', async () => {
    const { server, power } = await bmc();
    power.faults.set({ nodeWontPowerOff: ['n1'] }); // holds the node in PoweringOff
    const driver = new RedfishDriver(inventory(server.port));
    expect(await driver.status('n1')).toBe('on');
    expect(server.activeSessions()).toBe(1);
    await driver.shutdown('n1');
    expect(power.state('n1')).toBe('shutting-down');
    expect(await driver.status('n1')).toBe('on'); // PoweringOff is not off yet
    await driver.forceOff('n1');
    expect(power.state('n1')).toBe('off');
    expect(await driver.status('n1')).toBe('off');
    await driver.powerOn('n1');
    await until(() => power.state('n1') === 'on');
    expect(await driver.status('n1')).toBe('on');
    expect(server.resets).toEqual(['GracefulShutdown', 'ForceOff', 'On']);
    const report = await driver.check('n1');
    expect(report).toMatchObject({ ok: true, state: 'on', driver: 'redfish' });
    expect(report.detail).not.toContain(PASSWORD);
    expect(server.activeSessions()).toBe(1); // one session, reused
    await driver.close();
    expect(server.activeSessions()).toBe(0);
  });

  it('falls back to HTTP Basic when the BMC has no session service', async () => {
    const { server, power } = await bmc({ sessions: false });
    const driver = new RedfishDriver(inventory(server.port));
    await driver.shutdown('n1');
    await until(() => power.state('n1') === 'off');
    expect(await driver.status('n1')).toBe('off');
    expect(server.activeSessions()).toBe(0);
    await driver.close();
  });

  it('logs in again when the BMC dropped the session', async () => {
    const { server } = await bmc();
    const driver = new RedfishDriver(inventory(server.port));
    expect(await driver.status('n1')).toBe('on');
    await server.stop();
    await server.start(); // a BMC reboot forgets every session
    expect(await driver.status('n1')).toBe('on');
    await driver.close();
  });

  it('says the BMC rejected the credentials, and changes nothing', async () => {
    const { server, power } = await bmc();
    const driver = new RedfishDriver(inventory(server.port, 'tlsCaFile: ca.pem', 'wrong-pw'));
    const err = await driver.shutdown('n1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe(`BMC rejected the credentials for n1 (${ADDRESS})`);
    expect(power.state('n1')).toBe('on');
    expect(server.resets).toEqual([]);
    expect((await driver.check('n1')).ok).toBe(false);
  });

  it('refuses a certificate from another CA, and accepts it with insecureTls', async () => {
    const { server } = await bmc();
    const wrongCa = new RedfishDriver(inventory(server.port, 'tlsCaFile: other-ca.pem'));
    await expect(wrongCa.status('n1')).rejects.toThrow(/TLS certificate of the Redfish BMC of node n1 .* was not accepted/);
    const insecure = new RedfishDriver(inventory(server.port, 'insecureTls: true'));
    expect(await insecure.status('n1')).toBe('on');
    await insecure.close();
  });

  it('reports an unreachable BMC as UnreachableError naming node and address', async () => {
    const { server } = await bmc();
    const port = server.port;
    await server.stop();
    const err = await new RedfishDriver(inventory(port)).status('n1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`Cannot reach the Redfish BMC of node n1 at ${ADDRESS.replace(/\./g, '\\.')}:${port}: ECONNREFUSED`));
  });

  it('asks for systemId when the BMC has no such system', async () => {
    const { server } = await bmc();
    const err = await new RedfishDriver(inventory(server.port, 'tlsCaFile: ca.pem, systemId: System.Embedded.1')).status('n1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/has no system "System\.Embedded\.1"; it has 1/);
  });
});

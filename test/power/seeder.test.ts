// importFromSeeder: BMC entries from Harvester Seeder Inventory objects and their Secrets.
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/common/harvester-types.js';
import { Kinds } from '../../src/common/harvester.js';
import { inventoryToYaml, loadInventory, parseInventory } from '../../src/power/inventory.js';
import { importFromSeeder, writeSeederImport } from '../../src/power/seeder.js';

function inventory(name: string, connection: Record<string, unknown>, annotations?: Record<string, string>): KObject {
  return {
    ...Kinds.SeederInventory,
    metadata: { name, namespace: 'harvester-system', ...(annotations ? { annotations } : {}) },
    spec: { primaryDisk: '/dev/sda', managementInterfaceMacAddress: 'aa:bb', baseboardSpec: { connection }, events: { enabled: false } },
  };
}

function secret(name: string, data: Record<string, string>): KObject {
  const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'harvester-system' }, type: 'Opaque', data: b64 };
}

const ref = (name: string) => ({ name, namespace: 'harvester-system' });

describe('importFromSeeder', () => {
  const invs = [
    inventory('harv41', { host: '10.1.0.41', port: 623, insecureTLS: false, authSecretRef: ref('harv41-bmc') }),
    inventory('inv-b', { host: '10.1.0.42', port: 443, insecureTLS: true, authSecretRef: ref('harv42-bmc') }, {
      'metal.harvesterhci.io/local-node-name': 'harv42',
    }),
    inventory('harv43', { host: '10.1.0.43', port: 8443, authSecretRef: ref('harv43-bmc') }),
    inventory('harv44', { host: '10.1.0.44', port: 623, authSecretRef: ref('missing') }),
    inventory('harv45', { port: 623, authSecretRef: ref('harv41-bmc') }),
  ];
  const secrets = [
    secret('harv41-bmc', { username: 'ADMIN', password: 'pw-41-secret' }),
    secret('harv42-bmc', { username: 'root', password: 'pw-42-secret' }),
    secret('harv43-bmc', { username: 'root', password: 'pw-43-secret' }),
  ];

  it('maps ports to drivers, keeps SSH settings of the base, and skips what it cannot use', () => {
    const base = parseInventoryDoc();
    const res = importFromSeeder(invs, secrets, { secretsDir: '/s', base });
    expect(res.imported).toEqual(['harv41', 'harv42']);
    expect(res.skipped.map((s) => s.inventory)).toEqual(['harvester-system/harv43', 'harvester-system/harv44', 'harvester-system/harv45']);
    expect(res.skipped[0]?.reason).toMatch(/port 8443 is neither 623 \(IPMI\) nor 443 \(Redfish\)/);
    expect(res.skipped[1]?.reason).toMatch(/Secret harvester-system\/missing not found/);
    expect(res.skipped[2]?.reason).toMatch(/connection\.host is empty/);
    expect(res.doc.nodes.harv41).toEqual({
      ssh: { address: '10.0.0.41' },
      bmc: { driver: 'ipmi', address: '10.1.0.41', port: 623, username: 'ADMIN', passwordFile: '/s/harv41.bmc-password' },
    });
    expect(res.doc.nodes.harv42).toEqual({
      bmc: { driver: 'redfish', address: '10.1.0.42', port: 443, username: 'root', passwordFile: '/s/harv42.bmc-password', insecureTls: true },
    });
    expect(res.doc.defaults).toEqual(base.defaults);
    // The base is not changed, and the YAML never holds a password.
    expect(base.nodes.harv41).toEqual({ manual: true, ssh: { address: '10.0.0.41' } });
    expect(inventoryToYaml(res.doc)).not.toMatch(/pw-4\d-secret/);
    expect(JSON.stringify(res)).not.toMatch(/pw-4\d-secret/);
  });

  it('takes a driver for other ports and reads stringData', () => {
    const s = { ...secret('harv43-bmc', {}), data: undefined, stringData: { username: 'u', password: 'p' } };
    const res = importFromSeeder([invs[2]!], [s], { secretsDir: '/s', driver: 'redfish' });
    expect(res.doc.nodes.harv43?.bmc).toMatchObject({ driver: 'redfish', port: 8443, username: 'u' });
  });

  it('writes 0600 password files and an inventory that loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fallow-seeder-'));
    const res = importFromSeeder(invs.slice(0, 2), secrets, { secretsDir: join(dir, 'secrets'), base: parseInventoryDoc() });
    const path = join(dir, 'power.yaml');
    await writeSeederImport(res, path, join(dir, 'secrets'));
    expect(await readFile(join(dir, 'secrets/harv41.bmc-password'), 'utf8')).toBe('pw-41-secret\n');
    expect((await stat(join(dir, 'secrets/harv41.bmc-password'))).mode & 0o777).toBe(0o600);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const inv = await loadInventory(path);
    expect(inv.node('harv41').bmc?.password).toEqual({ file: join(dir, 'secrets/harv41.bmc-password') });
    expect(inv.node('harv41').manual).toBe(false);
  });
});

function parseInventoryDoc() {
  const text = 'schemaVersion: 1\nkind: PowerInventory\ndefaults: {ssh: {keyFile: /k}}\nnodes:\n  harv41: {manual: true, ssh: {address: 10.0.0.41}}\n';
  parseInventory(text, '/base.yaml'); // the base itself must be valid
  return {
    schemaVersion: 1 as const,
    kind: 'PowerInventory' as const,
    defaults: { ssh: { keyFile: '/k' } },
    nodes: { harv41: { manual: true as const, ssh: { address: '10.0.0.41' } } },
  };
}

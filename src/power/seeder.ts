// Import BMC entries from Harvester Seeder `Inventory` objects (metal.harvesterhci.io/
// v1alpha1): the addon already knows each node's BMC (spec.baseboardSpec.connection) and
// keeps its credentials in a Secret (keys username, password). Seeder runs inside the
// cluster, so it cannot power a stopped cluster back on; fallow copies what it knows.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KObject } from '../common/harvester-types.js';
import { inventoryToYaml, InventorySchemaVersion, type BmcDoc, type PowerInventoryDoc } from './inventory.js';
import { Secret, writeSecretFile } from './secrets.js';

/** Set on Seeder's inventory for a node of the cluster it runs in. */
const LocalNodeAnnotation = 'metal.harvesterhci.io/local-node-name';

interface SeederConnection {
  host?: string;
  port?: number;
  insecureTLS?: boolean;
  authSecretRef?: { name?: string; namespace?: string };
}

export interface SeederImportOptions {
  /** Where the password files go (absolute, so the inventory works from anywhere). */
  secretsDir: string;
  /** An inventory to add to: its SSH settings and other nodes are kept. */
  base?: PowerInventoryDoc;
  /** For ports that are neither 623 (IPMI) nor 443 (Redfish). */
  driver?: 'ipmi' | 'redfish';
}

export interface SeederImport {
  doc: PowerInventoryDoc;
  /** Password files to write (mode 0600) before the inventory is used. */
  secretFiles: { path: string; value: Secret }[];
  imported: string[];
  skipped: { inventory: string; reason: string }[];
}

export function importFromSeeder(inventories: KObject[], secrets: KObject[], opts: SeederImportOptions): SeederImport {
  const doc: PowerInventoryDoc = structuredClone(
    opts.base ?? { schemaVersion: InventorySchemaVersion, kind: 'PowerInventory', nodes: {} },
  );
  const result: SeederImport = { doc, secretFiles: [], imported: [], skipped: [] };
  for (const inv of inventories) {
    const id = `${inv.metadata.namespace ?? ''}/${inv.metadata.name}`;
    const node = inv.metadata.annotations?.[LocalNodeAnnotation] ?? inv.metadata.name;
    const conn = (inv.spec as { baseboardSpec?: { connection?: SeederConnection } } | undefined)?.baseboardSpec?.connection;
    if (!conn?.host) {
      result.skipped.push({ inventory: id, reason: 'spec.baseboardSpec.connection.host is empty' });
      continue;
    }
    const port = conn.port ?? 623;
    const driver = port === 623 ? 'ipmi' : port === 443 ? 'redfish' : opts.driver;
    if (!driver) {
      result.skipped.push({ inventory: id, reason: `port ${port} is neither 623 (IPMI) nor 443 (Redfish); choose a driver` });
      continue;
    }
    const ref = conn.authSecretRef;
    const secret = secrets.find(
      (s) => s.metadata.name === ref?.name && s.metadata.namespace === (ref?.namespace ?? inv.metadata.namespace),
    );
    const username = secret && secretValue(secret, 'username');
    const password = secret && secretValue(secret, 'password');
    if (!username || !password) {
      result.skipped.push({
        inventory: id,
        reason: secret
          ? `Secret ${secret.metadata.namespace}/${secret.metadata.name} lacks username or password`
          : `Secret ${ref?.namespace ?? inv.metadata.namespace}/${ref?.name ?? '(none)'} not found`,
      });
      continue;
    }
    const passwordFile = join(opts.secretsDir, `${node}.bmc-password`);
    const bmc: BmcDoc = { driver, address: conn.host, port, username, passwordFile };
    if (driver === 'redfish' && conn.insecureTLS) bmc.insecureTls = true;
    const { manual: _manual, ...rest } = doc.nodes[node] ?? {};
    doc.nodes[node] = { ...rest, bmc };
    result.secretFiles.push({ path: passwordFile, value: new Secret(password) });
    result.imported.push(node);
  }
  return result;
}

/** Writes the password files (0600) and then the inventory YAML. */
export async function writeSeederImport(result: SeederImport, inventoryPath: string, secretsDir: string): Promise<void> {
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  for (const f of result.secretFiles) await writeSecretFile(f.path, f.value.reveal());
  await writeFile(inventoryPath, inventoryToYaml(result.doc), { mode: 0o600 });
}

function secretValue(secret: KObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (data?.[key] !== undefined) return Buffer.from(data[key], 'base64').toString('utf8');
  return stringData?.[key];
}

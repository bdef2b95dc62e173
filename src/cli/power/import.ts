// `fallow power import`: reads Harvester Seeder's Inventory objects and the Secrets they
// reference, and writes a power inventory (docs/power-inventory.md) plus one password file
// per BMC (mode 0600). The mapping is src/power/seeder.ts; this is the cluster side. Only
// the referenced Secrets are read (get by name, never a list), and what is returned for
// printing holds file paths, never a password.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FatalError } from '../../common/errors.js';
import type { KObject, SeederInventoryObject } from '../../common/harvester-types.js';
import { isNotFound } from '../../cluster/errors.js';
import { InventorySchemaVersion, loadInventory, parseInventoryDoc, type PowerInventoryDoc } from '../../power/inventory.js';
import { importFromSeeder, writeSeederImport } from '../../power/seeder.js';
import type { ClusterPort } from '../../runbook/ports.js';

export interface PowerImportOptions {
  /** The inventory to write; an existing one is added to (its SSH settings and other nodes kept). */
  out: string;
  /** Where the password files go (default: next to the inventory). */
  secretsDir?: string;
  /** For BMC ports that are neither 623 nor 443. */
  driver?: 'ipmi' | 'redfish';
  /** defaults.ssh.keyFile for an inventory that has no SSH defaults yet. */
  sshKeyFile?: string;
}

export interface PowerImportData {
  apiVersion: 'fallow.power-import/v1';
  kind: 'PowerImport';
  inventory: string;
  /** True when the inventory existed and was added to. */
  merged: boolean;
  imported: { node: string; driver: string; address: string; port: number; username: string; passwordFile: string }[];
  skipped: { inventory: string; reason: string }[];
  /** Nodes of an existing inventory that Seeder does not know, kept as they were. */
  kept: string[];
}

type SeederCluster = Pick<ClusterPort, 'list' | 'get'>;

export async function powerImport(cluster: SeederCluster, opts: PowerImportOptions): Promise<PowerImportData> {
  const out = resolve(opts.out);
  const secretsDir = resolve(opts.secretsDir ?? dirname(out));
  const inventories = await listSeederInventories(cluster);
  if (inventories.length === 0) {
    throw new FatalError(
      'no Seeder Inventory objects (metal.harvesterhci.io/v1alpha1) in the cluster: nothing to import',
      'Enable the harvester-seeder addon and add each node\'s BMC to it, or write the power inventory by hand (docs/power-inventory.md)',
    );
  }
  const base = existsSync(out) ? parseInventoryDoc(await readFile(out, 'utf8'), out) : undefined;
  const secrets = await referencedSecrets(cluster, inventories);
  const result = importFromSeeder(inventories, secrets, {
    secretsDir,
    base: withSshKey(base ?? emptyDoc(), opts.sshKeyFile),
    ...(opts.driver ? { driver: opts.driver } : {}),
  });
  if (result.imported.length === 0) {
    throw new FatalError(
      `none of the ${inventories.length} Seeder Inventory objects could be imported: ${result.skipped.map((s) => `${s.inventory}: ${s.reason}`).join('; ')}`,
      'Fix them in Harvester (Hosts → the host → Out-of-band access), pass --driver for other ports, or write the power inventory by hand (docs/power-inventory.md)',
    );
  }
  await writeSeederImport(result, out, secretsDir);
  // Fail here, not at shutdown time, if the merged file is not a usable inventory.
  await loadInventory(out);
  const imported = result.imported.map((node) => {
    const bmc = result.doc.nodes[node]!.bmc!;
    return { node, driver: bmc.driver, address: bmc.address, port: bmc.port ?? 0, username: bmc.username, passwordFile: bmc.passwordFile ?? '' };
  });
  return {
    apiVersion: 'fallow.power-import/v1',
    kind: 'PowerImport',
    inventory: out,
    merged: base !== undefined,
    imported,
    skipped: result.skipped,
    kept: Object.keys(base?.nodes ?? {}).filter((n) => !result.imported.includes(n)),
  };
}

/** Seeder's objects, or none when the addon's API is not served at all. */
async function listSeederInventories(cluster: SeederCluster): Promise<SeederInventoryObject[]> {
  try {
    return await cluster.list<SeederInventoryObject>('SeederInventory');
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

async function referencedSecrets(cluster: SeederCluster, inventories: SeederInventoryObject[]): Promise<KObject[]> {
  const refs = new Map<string, { namespace: string; name: string }>();
  for (const inv of inventories) {
    const ref = inv.spec?.baseboardSpec?.connection?.authSecretRef;
    const namespace = ref?.namespace ?? inv.metadata.namespace;
    if (ref?.name && namespace) refs.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
  }
  const found = await Promise.all([...refs.values()].map((r) => cluster.get('Secret', r.namespace, r.name)));
  return found.filter((s): s is KObject => s !== undefined);
}

function emptyDoc(): PowerInventoryDoc {
  return { schemaVersion: InventorySchemaVersion, kind: 'PowerInventory', nodes: {} };
}

function withSshKey(doc: PowerInventoryDoc, keyFile: string | undefined): PowerInventoryDoc {
  if (!keyFile || doc.defaults?.ssh?.keyFile) return doc;
  return { ...doc, defaults: { ...doc.defaults, ssh: { ...doc.defaults?.ssh, keyFile: resolve(keyFile) } } };
}

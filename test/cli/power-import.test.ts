// `fallow power import` against the twin: Seeder Inventory objects and their Secrets in
// the simulated cluster become a power inventory that loads, password files of mode 0600,
// and output that names files but never holds a password. An existing inventory is added
// to; a cluster without Seeder objects is an error that says what to do.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import { Kinds } from '../../src/common/harvester.js';
import type { PowerImportData } from '../../src/cli/power/import.js';
import { loadInventory } from '../../src/power/inventory.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { runCli } from '../helpers/cli.js';

const ns = 'harvester-system';
const passwords = { harv41: 'bmc-41-Pa55', harv42: 'bmc-42-Pa55' };

describe('fallow power import on the twin', () => {
  let twin: Twin;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    twin = await startTwin({ scenarioPath: 'default', scale: 200 });
    dir = mkdtempSync(join(tmpdir(), 'fallow-power-import-'));
    env = { KUBECONFIG: twin.kubeconfigPath, FALLOW_CLOCK: twin.clock.toEnv() };
  });
  afterAll(async () => {
    await twin?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with what to do when the cluster has no Seeder Inventory objects', async () => {
    const r = await runCli(['power', 'import', '--out', join(dir, 'none.yaml')], env);
    expect(r.code).toBe(ExitCode.failed);
    expect(r.stderr).toMatch(/no Seeder Inventory objects .* nothing to import.*harvester-seeder addon/);
  });

  it('writes an inventory that loads and 0600 password files, printing no password', async () => {
    const bmc = (node: string, host: string, port: number) => ({
      ...Kinds.SeederInventory,
      metadata: { name: node, namespace: ns },
      spec: { baseboardSpec: { connection: { host, port, insecureTLS: port === 443, authSecretRef: { name: `${node}-bmc`, namespace: ns } } } },
    });
    const secret = (node: keyof typeof passwords) => ({
      ...Kinds.Secret,
      metadata: { name: `${node}-bmc`, namespace: ns },
      type: 'Opaque',
      data: { username: Buffer.from('ADMIN').toString('base64'), password: Buffer.from(passwords[node]).toString('base64') },
    });
    await twin.api.create(bmc('harv41', '10.1.0.41', 623));
    await twin.api.create(bmc('harv42', '10.1.0.42', 443));
    await twin.api.create(bmc('harv43', '10.1.0.43', 623)); // its Secret is missing
    await twin.api.create(secret('harv41'));
    await twin.api.create(secret('harv42'));
    // an existing inventory: its SSH defaults and its manual witness are kept
    const out = join(dir, 'power.yaml');
    writeFileSync(out, 'schemaVersion: 1\nkind: PowerInventory\ndefaults: {ssh: {keyFile: /keys/harvester}}\nnodes:\n  harv2: {manual: true, location: "rack 3"}\n  harv41: {manual: true}\n');

    const r = await runCli(['power', 'import', '--out', out, '--secrets-dir', join(dir, 'secrets'), '-o', 'json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    for (const p of Object.values(passwords)) expect(r.stdout + readFileSync(out, 'utf8')).not.toContain(p);
    const data = JSON.parse(r.stdout) as PowerImportData;
    expect(data.imported.map((i) => `${i.node} ${i.driver} ${i.address}:${i.port}`)).toEqual(['harv41 ipmi 10.1.0.41:623', 'harv42 redfish 10.1.0.42:443']);
    expect(data.skipped).toEqual([{ inventory: `${ns}/harv43`, reason: `Secret ${ns}/harv43-bmc not found` }]);
    expect(data.kept).toEqual(['harv2']);
    expect(data.merged).toBe(true);

    const pwFile = join(dir, 'secrets', 'harv41.bmc-password');
    expect(readFileSync(pwFile, 'utf8')).toBe(`${passwords.harv41}\n`);
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    const inv = await loadInventory(out);
    expect(inv.node('harv41').bmc).toMatchObject({ driver: 'ipmi', address: '10.1.0.41', username: 'ADMIN', password: { file: pwFile } });
    expect(inv.node('harv42').bmc).toMatchObject({ driver: 'redfish', insecureTls: true });
    expect(inv.node('harv2')).toMatchObject({ manual: true, location: 'rack 3' });
    expect(inv.node('harv41').ssh?.keyFile).toBe('/keys/harvester');
  });

  it('prints a table naming files, not passwords', async () => {
    const out = join(dir, 'fresh.yaml');
    const r = await runCli(['power', 'import', '--out', out], env);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/harv41\s+ipmi\s+10\.1\.0\.41:623\s+ADMIN\s+\S+harv41\.bmc-password/);
    expect(r.stdout).toMatch(/skipped harvester-system\/harv43: Secret harvester-system\/harv43-bmc not found/);
    expect(r.stdout).toContain(`wrote ${out} (2 BMCs imported; password files mode 0600)`);
    for (const p of Object.values(passwords)) expect(r.stdout).not.toContain(p);
  });
});

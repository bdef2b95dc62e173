// Power inventory: the schema, its defaults, path resolution and field-naming errors.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { DefaultShutdownCommand, loadInventory, parseInventory } from '../../src/power/inventory.js';

const head = 'schemaVersion: 1\nkind: PowerInventory\n';

describe('parseInventory', () => {
  it('fills SSH defaults, per-node overrides and BMC defaults', () => {
    const inv = parseInventory(
      `${head}defaults:
  ssh: {keyFile: keys/id_ed25519, user: admin}
nodes:
  harv41:
    ssh: {address: 10.0.0.41}
    bmc: {driver: ipmi, address: 10.1.0.41, username: ADMIN, passwordFile: secrets/harv41}
  harv42:
    ssh: {port: 2222, user: rancher, shutdownCommand: sudo poweroff}
    bmc: {driver: redfish, address: 10.1.0.42, username: root, passwordEnv: BMC42, insecureTls: true, systemId: System.Embedded.1}
  harv43: {manual: true, location: rack 3 U12}
`,
      '/etc/fallow/power.yaml',
    );
    expect(inv.nodes()).toEqual(['harv41', 'harv42', 'harv43']);
    expect(inv.node('harv41')).toEqual({
      node: 'harv41',
      manual: false,
      ssh: {
        address: '10.0.0.41',
        port: 22,
        user: 'admin',
        keyFile: '/etc/fallow/keys/id_ed25519',
        knownHostsFile: join(homedir(), '.ssh/known_hosts'),
        shutdownCommand: DefaultShutdownCommand,
      },
      bmc: {
        driver: 'ipmi',
        address: '10.1.0.41',
        port: 623,
        username: 'ADMIN',
        password: { file: '/etc/fallow/secrets/harv41' },
        cipherSuite: 3,
        insecureTls: false,
      },
    });
    expect(inv.node('harv42').ssh).toMatchObject({ port: 2222, user: 'rancher', shutdownCommand: 'sudo poweroff' });
    expect(inv.node('harv42').bmc).toMatchObject({ driver: 'redfish', port: 443, password: { env: 'BMC42' }, insecureTls: true, systemId: 'System.Embedded.1' });
    expect(inv.node('harv43')).toMatchObject({ manual: true, location: 'rack 3 U12', ssh: { user: 'admin' } });
    expect(inv.node('harv43').bmc).toBeUndefined();
  });

  it('fills missing SSH addresses from the node InternalIP, never overriding the file', () => {
    const inv = parseInventory(`${head}defaults: {ssh: {keyFile: /k}}\nnodes:\n  a: {}\n  b: {ssh: {address: 10.9.9.9}}\n`, '/x.yaml').withAddresses(
      (n) => ({ a: '10.0.0.1', b: '10.0.0.2' })[n],
    );
    expect(inv.ssh('a').address).toBe('10.0.0.1');
    expect(inv.ssh('b').address).toBe('10.9.9.9');
    expect(inv.node('b').address).toBe('10.0.0.2'); // the InternalIP itself, for probing
  });

  it('keeps the InternalIP of a node without SSH, so its port 22 can still be probed', () => {
    const inv = parseInventory(`${head}nodes:\n  w: {bmc: {driver: ipmi, address: h, username: u, passwordEnv: P}}\n`, '/x.yaml');
    expect(inv.withAddresses(() => '10.0.0.7').node('w')).toMatchObject({ address: '10.0.0.7', manual: false });
    expect(inv.node('w').address).toBeUndefined(); // withAddresses returns a new inventory
  });

  it('names the missing node and how to add it', () => {
    const inv = parseInventory(`${head}defaults: {ssh: {keyFile: /k}}\nnodes:\n  a: {}\n`, '/p.yaml');
    expect(() => inv.node('zz')).toThrow(/Node zz is not in the power inventory \/p\.yaml/);
    expect(() => inv.ssh('a')).toThrow(/No SSH address for node a/);
  });

  const invalid: [string, string, RegExp][] = [
    ['wrong version', 'schemaVersion: 2\nkind: PowerInventory\nnodes: {}\n', /schemaVersion 2; this fallow reads schemaVersion 1/],
    ['no version', 'kind: PowerInventory\nnodes: {}\n', /schemaVersion null/],
    ['bad YAML', `${head}nodes: [\n`, /not valid YAML/],
    ['typo in a field', `${head}nodes:\n  a: {ssh: {keyFile: /k, usr: x}}\n`, /nodes\.a\.ssh: Unrecognized key: "usr"/],
    ['port out of range', `${head}nodes:\n  a: {ssh: {keyFile: /k, port: 70000}}\n`, /nodes\.a\.ssh\.port/],
    ['unknown driver', `${head}nodes:\n  a: {bmc: {driver: amt, address: h, username: u, passwordFile: f}}\n`, /nodes\.a\.bmc\.driver/],
    ['two password sources', `${head}nodes:\n  a: {bmc: {driver: ipmi, address: h, username: u, passwordFile: f, passwordEnv: P}}\n`, /nodes\.a\.bmc\.passwordFile: give exactly one/],
    ['no password source', `${head}nodes:\n  a: {bmc: {driver: ipmi, address: h, username: u}}\n`, /nodes\.a\.bmc\.passwordFile: give exactly one/],
    ['TLS flags on IPMI', `${head}nodes:\n  a: {bmc: {driver: ipmi, address: h, username: u, passwordFile: f, insecureTls: true}}\n`, /nodes\.a\.bmc\.driver: tlsCaFile, insecureTls and systemId only apply/],
    ['CA and insecure', `${head}nodes:\n  a: {bmc: {driver: redfish, address: h, username: u, passwordFile: f, insecureTls: true, tlsCaFile: c}}\n`, /nodes\.a\.bmc\.insecureTls: give tlsCaFile or insecureTls, not both/],
    ['insecureTls false', `${head}nodes:\n  a: {bmc: {driver: redfish, address: h, username: u, passwordFile: f, insecureTls: false}}\n`, /nodes\.a\.bmc\.insecureTls/],
    ['bmc and manual', `${head}nodes:\n  a: {manual: true, bmc: {driver: ipmi, address: h, username: u, passwordFile: f}}\n`, /nodes\.a\.manual: a node with a bmc is not manual/],
    ['no way to shut down', `${head}nodes:\n  a: {manual: true}\n`, /nodes\.a: needs ssh \(or defaults\.ssh\) or bmc/],
    ['ssh without key', `${head}nodes:\n  a: {ssh: {address: h}}\n`, /nodes\.a\.ssh\.keyFile: required/],
    ['bad node name', `${head}defaults: {ssh: {keyFile: /k}}\nnodes:\n  Harv_1: {}\n`, /nodes\.Harv_1: node names are lowercase DNS names/],
    ['bad env name', `${head}nodes:\n  a: {bmc: {driver: ipmi, address: h, username: u, passwordEnv: "1X"}}\n`, /passwordEnv: must be an environment variable name/],
  ];
  it.each(invalid)('rejects %s with the field named', (_name, text, message) => {
    let caught: unknown;
    try {
      parseInventory(text, '/tmp/p.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain('/tmp/p.yaml');
  });
});

describe('loadInventory', () => {
  it('resolves relative paths against the file and reports an unreadable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fallow-inv-'));
    const file = join(dir, 'power.yaml');
    await writeFile(file, `${head}nodes:\n  a: {ssh: {keyFile: id, knownHostsFile: ./kh}}\n`);
    const inv = await loadInventory(file);
    expect(inv.node('a').ssh).toMatchObject({ keyFile: join(dir, 'id'), knownHostsFile: join(dir, 'kh') });
    await expect(loadInventory(join(dir, 'missing.yaml'))).rejects.toThrow(/Cannot read the power inventory .*missing\.yaml: ENOENT/);
  });
});

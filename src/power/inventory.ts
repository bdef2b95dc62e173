// The power inventory: a versioned YAML file saying how each node is reached — SSH for a
// clean OS shutdown, a BMC (IPMI or Redfish) for power state and power-on, or "manual".
// Validation errors name the field ("nodes.harv41.bmc.port: …"). Secrets are never in the
// file itself, only where to find them (passwordFile / passwordEnv).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import { PowerMessages } from './messages.js';
import type { SecretSource } from './secrets.js';

export const InventorySchemaVersion = 1;
export const DefaultShutdownCommand = 'sudo -i shutdown -h now';

const port = z.number().int().min(1).max(65535);
const nonEmpty = z.string().min(1);

const sshSchema = z.strictObject({
  address: nonEmpty.optional(),
  port: port.optional(),
  user: nonEmpty.optional(),
  keyFile: nonEmpty.optional(),
  knownHostsFile: nonEmpty.optional(),
  shutdownCommand: nonEmpty.optional(),
});

const bmcSchema = z
  .strictObject({
    driver: z.enum(['ipmi', 'redfish']),
    address: nonEmpty,
    port: port.optional(),
    username: nonEmpty,
    passwordFile: nonEmpty.optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    cipherSuite: z.number().int().min(0).max(17).optional(),
    tlsCaFile: nonEmpty.optional(),
    insecureTls: z.literal(true).optional(),
    systemId: nonEmpty.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.passwordFile === undefined) === (b.passwordEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give exactly one of passwordFile or passwordEnv' });
    }
    if (b.driver === 'redfish' && b.cipherSuite !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cipherSuite'], message: 'only applies to driver ipmi' });
    }
    if (b.driver === 'ipmi' && (b.tlsCaFile !== undefined || b.insecureTls !== undefined || b.systemId !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['driver'], message: 'tlsCaFile, insecureTls and systemId only apply to driver redfish' });
    }
    if (b.tlsCaFile !== undefined && b.insecureTls) {
      ctx.addIssue({ code: 'custom', path: ['insecureTls'], message: 'give tlsCaFile or insecureTls, not both' });
    }
  });

const nodeSchema = z
  .strictObject({
    ssh: sshSchema.optional(),
    bmc: bmcSchema.optional(),
    manual: z.literal(true).optional(),
    /** Where the machine is, for the operator who must press its button ("rack 3, U12"). */
    location: nonEmpty.optional(),
  })
  .refine((n) => !(n.bmc && n.manual), { path: ['manual'], message: 'a node with a bmc is not manual; remove one' });

const nodeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'node names are lowercase DNS names');

const inventorySchema = z.strictObject({
  schemaVersion: z.literal(InventorySchemaVersion),
  kind: z.literal('PowerInventory'),
  defaults: z.strictObject({ ssh: sshSchema.optional() }).optional(),
  nodes: z.record(nodeName, nodeSchema),
});

/** The file as written: what `importFromSeeder` and the twin's fronts produce. */
export type PowerInventoryDoc = z.infer<typeof inventorySchema>;
export type NodeDoc = z.infer<typeof nodeSchema>;
export type BmcDoc = z.infer<typeof bmcSchema>;

export interface SshTarget {
  /** Filled from the node's InternalIP by `withAddresses` when the file has none. */
  address?: string;
  port: number;
  user: string;
  keyFile: string;
  knownHostsFile: string;
  shutdownCommand: string;
}

export interface BmcTarget {
  driver: 'ipmi' | 'redfish';
  address: string;
  port: number;
  username: string;
  password: SecretSource;
  cipherSuite: number;
  caFile?: string;
  insecureTls: boolean;
  systemId?: string;
}

export interface NodePowerSpec {
  node: string;
  ssh?: SshTarget;
  bmc?: BmcTarget;
  /** No BMC: power-on (and, without SSH, shutdown) is done by hand. */
  manual: boolean;
  /** The node's InternalIP (filled by `withAddresses`): where its SSH port is probed. */
  address?: string;
  location?: string;
}

export class PowerInventory {
  constructor(
    /** The file it was read from, for messages. */
    readonly file: string,
    private readonly specs: ReadonlyMap<string, NodePowerSpec>,
  ) {}

  nodes(): string[] {
    return [...this.specs.keys()];
  }

  has(node: string): boolean {
    return this.specs.has(node);
  }

  node(node: string): NodePowerSpec {
    const spec = this.specs.get(node);
    if (!spec) throw PowerMessages.notInInventory(node, this.file);
    return spec;
  }

  /** SSH target with its address, or the error that says how to give one. */
  ssh(node: string): SshTarget & { address: string } {
    const spec = this.node(node);
    if (!spec.ssh) throw PowerMessages.noSsh(node);
    if (!spec.ssh.address) throw PowerMessages.noSshAddress(node);
    return { ...spec.ssh, address: spec.ssh.address };
  }

  /** Fills SSH addresses the file leaves out from the node's InternalIP. */
  withAddresses(addressOf: (node: string) => string | undefined): PowerInventory {
    const next = new Map<string, NodePowerSpec>();
    for (const [name, spec] of this.specs) {
      const internal = addressOf(name);
      const address = spec.ssh?.address ?? internal;
      const filled: NodePowerSpec = internal ? { ...spec, address: internal } : { ...spec };
      next.set(name, spec.ssh && address ? { ...filled, ssh: { ...spec.ssh, address } } : filled);
    }
    return new PowerInventory(this.file, next);
  }
}

export async function loadInventory(file: string): Promise<PowerInventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the power inventory ${file}: ${(err as NodeJS.ErrnoException).code ?? 'read error'}`, 'Give the right path with --power-inventory');
  }
  return parseInventory(text, file);
}

export function parseInventory(text: string, file: string): PowerInventory {
  return resolveDoc(parseInventoryDoc(text, file), file);
}

/** The file as written (paths unresolved), validated: what an import adds to. */
export function parseInventoryDoc(text: string, file: string): PowerInventoryDoc {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`Power inventory ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Fix the file');
  }
  const found = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (found !== InventorySchemaVersion) {
    throw new UsageError(
      `Power inventory ${file} has schemaVersion ${JSON.stringify(found ?? null)}; this fallow reads schemaVersion ${InventorySchemaVersion}`,
      'Write the file for this version (docs/power-inventory.md) or use the matching fallow',
    );
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      // A bad record key: its own message ("node names are …") is one level down.
      const message = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
      return `${i.path.join('.') || '(top)'}: ${message}`;
    });
    throw new UsageError(`Power inventory ${file} is invalid: ${lines.join('; ')}`, 'Fix those fields');
  }
  return parsed.data;
}

export function inventoryToYaml(doc: PowerInventoryDoc): string {
  return toYaml(doc);
}

function resolveDoc(doc: PowerInventoryDoc, file: string): PowerInventory {
  const base = dirname(resolve(file));
  const path = (p: string) => expandPath(p, base);
  const specs = new Map<string, NodePowerSpec>();
  const problems: string[] = [];
  for (const [name, n] of Object.entries(doc.nodes)) {
    const spec: NodePowerSpec = { node: name, manual: n.bmc === undefined };
    if (n.location) spec.location = n.location;
    const ssh = n.ssh || doc.defaults?.ssh ? { ...doc.defaults?.ssh, ...n.ssh } : undefined;
    if (ssh) {
      if (!ssh.keyFile) problems.push(`nodes.${name}.ssh.keyFile: required (here or in defaults.ssh)`);
      else {
        spec.ssh = {
          port: ssh.port ?? 22,
          user: ssh.user ?? 'rancher',
          keyFile: path(ssh.keyFile),
          knownHostsFile: path(ssh.knownHostsFile ?? '~/.ssh/known_hosts'),
          shutdownCommand: ssh.shutdownCommand ?? DefaultShutdownCommand,
        };
        if (ssh.address) spec.ssh.address = ssh.address;
      }
    }
    if (n.bmc) spec.bmc = resolveBmc(n.bmc, path);
    if (!spec.ssh && !spec.bmc) problems.push(`nodes.${name}: needs ssh (or defaults.ssh) or bmc to shut the node down`);
    specs.set(name, spec);
  }
  if (problems.length > 0) throw new UsageError(`Power inventory ${file} is invalid: ${problems.join('; ')}`, 'Fix those fields');
  return new PowerInventory(file, specs);
}

function resolveBmc(b: BmcDoc, path: (p: string) => string): BmcTarget {
  const target: BmcTarget = {
    driver: b.driver,
    address: b.address,
    port: b.port ?? (b.driver === 'ipmi' ? 623 : 443),
    username: b.username,
    password: b.passwordFile !== undefined ? { file: path(b.passwordFile) } : { env: b.passwordEnv ?? '' },
    cipherSuite: b.cipherSuite ?? 3,
    insecureTls: b.insecureTls === true,
  };
  if (b.tlsCaFile) target.caFile = path(b.tlsCaFile);
  if (b.systemId) target.systemId = b.systemId;
  return target;
}

function expandPath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

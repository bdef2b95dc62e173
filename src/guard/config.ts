// The guard's configuration file: a versioned YAML document (kind GuardConfig) saying which
// UPS to watch, as which NUT user (the password only by reference: passwordFile or
// passwordEnv), how often to poll, the policy thresholds, the budget limits and how `guard
// run` reaches the cluster (power inventory, backups, bundles), all in seconds for humans.
// Validation errors name the file and the field.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { CredentialSource } from './credentials.js';
import { parseUpsTarget, type UpsTarget } from './nut-client.js';
import type { PolicyConfig } from './policy.js';

export const GuardConfigVersion = 1;

const secs = z.number().min(0);
const positive = z.number().positive();

const schema = z
  .strictObject({
    schemaVersion: z.literal(GuardConfigVersion),
    kind: z.literal('GuardConfig'),
    /** "ups1@127.0.0.1:3493" */
    ups: z.string().min(1),
    user: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    pollIntervalSeconds: positive.default(5),
    timeoutSeconds: positive.default(5),
    policy: z
      .strictObject({
        safetyMarginSeconds: secs.default(120),
        maxOnBatterySeconds: positive.optional(),
        lowBatteryTriggers: z.boolean().default(true),
        assumedLowBatteryRuntimeSeconds: secs.default(120),
        flapToleranceSeconds: secs.default(60),
        restart: z
          .strictObject({ minChargePercent: z.number().min(0).max(100).default(50), stableSeconds: secs.default(600) })
          .default({ minChargePercent: 50, stableSeconds: 600 }),
      })
      .prefault({}),
    budget: z
      .strictObject({
        vmStopParallelism: z.number().int().min(1).default(4),
        maxVmStopParallelism: z.number().int().min(1).default(16),
        guestGraceSeconds: secs.default(180),
        minGuestGraceSeconds: secs.default(30),
        /** Optional steps never run under the guard (e.g. VM backups). */
        alwaysSkip: z.array(z.string().min(1)).default([]),
      })
      .prefault({})
      .refine((b) => b.maxVmStopParallelism >= b.vmStopParallelism, { path: ['maxVmStopParallelism'], message: 'must be ≥ vmStopParallelism' })
      .refine((b) => b.minGuestGraceSeconds <= b.guestGraceSeconds, { path: ['minGuestGraceSeconds'], message: 'must be ≤ guestGraceSeconds' }),
    /** How `guard run` shuts the cluster down and restarts it (the kubeconfig and state dir come from the environment). */
    cluster: z
      .strictObject({
        /** Power inventory (docs/power-inventory.md); without it every node is switched by hand. */
        power: z.string().min(1).optional(),
        /** VMs to back up before they stop (the optional step the planner may drop). */
        backupVms: z.array(z.string().min(1)).default([]),
        /** Seed 3.2's force-delete of rancher pods stuck Terminating: nobody is there to do it by hand. */
        forceDeleteStuckPods: z.boolean().default(true),
        /** No support bundles at all (the planner may also drop the first one when short of time). */
        skipBundles: z.boolean().default(false),
        /** VMs booting at once at restart; 0 = sized to the cluster. */
        waveSize: z.number().int().min(0).default(0),
        acceptNewHostKeys: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.user === undefined && (c.passwordFile !== undefined || c.passwordEnv !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs a user' });
    }
    if (c.user !== undefined && (c.passwordFile === undefined) === (c.passwordEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give exactly one of passwordFile or passwordEnv' });
    }
  });

export type GuardConfigDoc = z.input<typeof schema>;

export interface GuardConfig {
  target: UpsTarget;
  /** Undefined: read anonymously (no LOGIN, so no credential check at start). */
  credentials?: CredentialSource;
  pollIntervalMs: number;
  timeoutMs: number;
  policy: PolicyConfig;
  cluster: GuardClusterConfig;
}

export interface GuardClusterConfig {
  /** Absolute path of the power inventory, when given. */
  power?: string;
  backupVms: string[];
  forceDeleteStuckPods: boolean;
  skipBundles: boolean;
  waveSize: number;
  acceptNewHostKeys: boolean;
}

/** Parses a GuardConfig document; `file` names it in errors and anchors a relative passwordFile. */
export function parseGuardConfig(text: string, file: string): GuardConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`Guard config ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Fix the file');
  }
  const found = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).schemaVersion : undefined;
  if (found !== undefined && found !== GuardConfigVersion) {
    throw new UsageError(`Guard config ${file} has schemaVersion ${JSON.stringify(found)}; this fallow reads ${GuardConfigVersion}`, 'Rewrite it for this version (see docs/guard.md) or use the fallow that wrote it');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length ? issue.path.join('.') : '(top level)';
    throw new UsageError(`Guard config ${file}: ${where}: ${issue?.message ?? 'invalid'}`, 'Fix the field; see docs/guard.md for an example');
  }
  const c = r.data;
  const s = (x: number) => Math.round(x * 1000);
  let target: UpsTarget;
  try {
    target = parseUpsTarget(c.ups);
  } catch (err) {
    throw new UsageError(`Guard config ${file}: ups: ${(err as Error).message}`, 'Write it as <ups>@<host>[:<port>]');
  }
  const anchored = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const { power, ...clusterRest } = c.cluster;
  const cfg: GuardConfig = {
    target,
    cluster: { ...clusterRest, ...(power !== undefined ? { power: anchored(power) } : {}) },
    pollIntervalMs: s(c.pollIntervalSeconds),
    timeoutMs: s(c.timeoutSeconds),
    policy: {
      safetyMarginMs: s(c.policy.safetyMarginSeconds),
      lowBatteryTriggers: c.policy.lowBatteryTriggers,
      assumedLowBatteryRuntimeMs: s(c.policy.assumedLowBatteryRuntimeSeconds),
      lookaheadMs: s(c.pollIntervalSeconds),
      flapToleranceMs: s(c.policy.flapToleranceSeconds),
      restartMinChargePct: c.policy.restart.minChargePercent,
      restartStableMs: s(c.policy.restart.stableSeconds),
      budget: {
        defaults: {
          skipSteps: c.budget.alwaysSkip,
          vmStopParallelism: c.budget.vmStopParallelism,
          guestGraceSeconds: c.budget.guestGraceSeconds,
          forceOff: false,
        },
        maxVmStopParallelism: c.budget.maxVmStopParallelism,
        minGuestGraceSeconds: c.budget.minGuestGraceSeconds,
      },
    },
  };
  if (c.policy.maxOnBatterySeconds !== undefined) cfg.policy.maxOnBatteryMs = s(c.policy.maxOnBatterySeconds);
  if (c.user !== undefined) {
    cfg.credentials = { username: c.user };
    if (c.passwordFile !== undefined) cfg.credentials.passwordFile = anchored(c.passwordFile);
    if (c.passwordEnv !== undefined) cfg.credentials.passwordEnv = c.passwordEnv;
  }
  return cfg;
}

export async function loadGuardConfig(file: string): Promise<GuardConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read guard config ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'Give the path of a GuardConfig YAML file; see docs/guard.md');
  }
  return parseGuardConfig(text, file);
}

/** Every default of a GuardConfig (for `fallow plan --budget` without a config file). */
export function defaultGuardConfig(): GuardConfig {
  return parseGuardConfig(`schemaVersion: ${GuardConfigVersion}\nkind: GuardConfig\nups: none@127.0.0.1\n`, '(built-in defaults)');
}

// The redaction key across real runs on the twin: the shutdown makes the state root's key
// and digests the settings' secrets with it, so neither the journals nor the report they
// make can be checked against a guessed password with the UID they carry; the restart and
// `fallow verify` mask as the shutdown did (0 differences), or report the secrets as not
// comparable when the key is gone, and stop on a corrupt key file without touching it. A
// run recorded the way fallow recorded before the key (UID-salted) still verifies clean.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/common/errors.js';
import { maskSecret } from '../../src/common/redact.js';
import { KeyedScheme, UidSalted } from '../../src/common/redaction.js';
import { pairFor, reportFor, writeReport } from '../../src/cli/run/report.js';
import { runRunbook } from '../../src/engine/run.js';
import type { Step } from '../../src/engine/types.js';
import { readJournal } from '../../src/journal/reader.js';
import { loadRedactionKey, redactionKeyPath } from '../../src/journal/redaction-key.js';
import { replay } from '../../src/journal/replay.js';
import type { ClusterSnapshot, Difference } from '../../src/report/index.js';
import { defaultRunOptions, shutdownRunbook, type RunbookEnv } from '../../src/runbook/index.js';
import { Facts, SnapshotFacts, toJson } from '../../src/runbook/facts.js';
import { snapshotNow } from '../../src/runbook/lib/snapshot.js';
import { snapshotBefore } from '../../src/runbook/shutdown/snapshot.js';
import { runMain } from '../cli/run-main.js';
import { startBed, type Bed } from './bed.js';
import { secretSettings, setSecretSettings, setSetting } from './secret-settings.js';
import { filesContaining } from './extras-bed.js';

const settings = secretSettings('keyed-digest');
const { registryPassword, proxyPassword, registry } = settings;
const digestIn = (value: string | null | undefined) => /"Password":"(\*\*\*~[\w-]{12})"/.exec(value ?? '')?.[1];

interface Verification {
  summary: { errors: number; warnings: number };
  differences: Difference[];
}

describe('redaction key across a cycle on the twin', () => {
  let bed: Bed;
  let keyedRun = '';

  const factsOf = (runDir: string) => replay(readJournal(join(runDir, 'journal.jsonl')).records).facts;
  const factOf = <T>(runDir: string, key: string) => factsOf(runDir).get(key) as unknown as T;
  type Recorded = { summary: { errors: number; warnings: number }; diff: Difference[] };
  const verify = () => runMain(['verify', '--state-dir', bed.stateDir, '-o', 'json'], { KUBECONFIG: bed.twin.kubeconfigPath });

  beforeAll(async () => {
    bed = await startBed();
    await setSecretSettings(bed, settings);
  });
  afterAll(async () => bed?.close());

  it('the shutdown makes the key and digests secrets with it: UID and secret alone do not give the digest', async () => {
    const r = await bed.shutdown();
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    keyedRun = r.runId;
    const key = loadRedactionKey(bed.stateDir);
    expect(key).toBeDefined();
    const facts = factsOf(r.runDir!);
    const before = facts.get(SnapshotFacts.before) as unknown as ClusterSnapshot;
    const net = facts.get(Facts.network.key) as { settings: Record<string, string>; redaction?: unknown };
    expect(before.redaction).toEqual({ scheme: KeyedScheme, keyId: key!.id });
    expect(net.redaction).toEqual({ scheme: KeyedScheme, keyId: key!.id });
    const recorded = digestIn(before.settings['containerd-registry']?.value);
    expect(recorded).toBeDefined();
    expect(digestIn(net.settings['containerd-registry'])).toBe(recorded);
    expect(maskSecret(registryPassword, { salt: bed.identity.uid })).not.toBe(recorded);
    expect(maskSecret(registryPassword, { salt: bed.identity.uid, key: key! })).toBe(recorded);
  });

  it('the restart masks the same secrets the same way: 0 differences', async () => {
    const r = await bed.restart(keyedRun);
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const verification = factOf<Recorded>(r.runDir!, SnapshotFacts.verification);
    expect(verification.diff.filter((d) => d.rule === 'settings')).toEqual([]);
    expect(verification.summary.errors).toBe(0);
    const before = factOf<ClusterSnapshot>(join(bed.stateDir, bed.identity.uid, keyedRun), SnapshotFacts.before);
    const after = factOf<ClusterSnapshot>(r.runDir!, SnapshotFacts.after);
    expect(after.settings).toEqual(before.settings);
    expect(after.redaction).toEqual(before.redaction);
  });

  it('neither the key nor the secrets nor a UID-only digest appear in any file of the runs or their report', () => {
    const pair = pairFor(bed.stateDir, bed.identity.uid, keyedRun);
    const reportDir = join(bed.stateDir, 'report');
    mkdirSync(reportDir, { recursive: true });
    const written = writeReport(reportFor(pair, 'twin'), reportDir, ['md', 'html', 'json']);
    expect(written.length).toBe(3);
    const keyFile = redactionKeyPath(bed.stateDir);
    const token = readFileSync(keyFile, 'utf8').trim().split(' ')[1]!;
    const material = Buffer.from(token, 'base64url');
    expect(material.length).toBe(32);
    expect(filesContaining(bed.stateDir, token)).toEqual([keyFile]);
    // nor spelled another way (the key file itself holds only the base64url text)
    for (const form of [material.toString('hex'), material.toString('base64')]) expect(filesContaining(bed.stateDir, form)).toEqual([]);
    for (const secret of [registryPassword, proxyPassword]) expect(filesContaining(bed.stateDir, secret)).toEqual([]);
    const uidOnly = maskSecret(registryPassword, { salt: bed.identity.uid });
    expect(filesContaining(bed.stateDir, uidOnly)).toEqual([]);
    const keyed = maskSecret(registryPassword, { salt: bed.identity.uid, key: loadRedactionKey(bed.stateDir)! });
    expect(filesContaining(reportDir, keyed).length).toBeGreaterThan(0); // the report does carry the (keyed) digest
  });

  it('`fallow verify` with the key: 0 differences', async () => {
    const v = await verify();
    expect(v.stderr).toBe('');
    expect(v.code).toBe(ExitCode.ok);
    expect((JSON.parse(v.stdout) as Verification).differences).toEqual([]);
  });

  it('`fallow verify` without the key: the secret settings "cannot compare" as warnings, no error', async () => {
    const keyFile = redactionKeyPath(bed.stateDir);
    const keyId = loadRedactionKey(bed.stateDir)!.id;
    const aside = join(bed.stateDir, '..', `${keyId}.aside`);
    renameSync(keyFile, aside);
    try {
      const v = await verify();
      expect(v.code).toBe(ExitCode.ok);
      const out = JSON.parse(v.stdout) as Verification;
      expect(out.summary.errors).toBe(0);
      expect(out.differences.map((d) => `${d.severity} ${d.path}`).sort()).toEqual(['warning settings/containerd-registry', 'warning settings/http-proxy']);
      for (const d of out.differences) expect(d.explanation).toContain(`cannot compare: recorded with redaction key ${keyId}, not found in ${bed.stateDir}`);
    } finally {
      renameSync(aside, keyFile);
    }
  });

  it('`fallow verify` with a corrupt key file: a clear error, the file left as it was', async () => {
    const keyFile = redactionKeyPath(bed.stateDir);
    const intact = readFileSync(keyFile, 'utf8');
    const damaged = intact.slice(0, 40);
    writeFileSync(keyFile, damaged);
    try {
      const v = await verify();
      expect(v.code).toBe(ExitCode.usage);
      expect(v.stderr).toContain(`The redaction key file ${keyFile} is corrupt`);
      expect(v.stderr).toContain(`mv ${keyFile} ${keyFile}.corrupt`);
      expect(v.stdout).toBe('');
      expect(readFileSync(keyFile, 'utf8')).toBe(damaged);
    } finally {
      writeFileSync(keyFile, intact);
    }
  });

  it('a shutdown recorded as fallow did before the key (UID-salted) restarts and verifies with 0 differences, and a changed secret shows', async () => {
    // The snapshot step as it was: no stamp, digests salted by the UID alone.
    const legacySnapshot: Step<RunbookEnv> = { ...snapshotBefore, act: async (ctx) => ctx.record(SnapshotFacts.before, toJson(await snapshotNow(ctx, UidSalted))) };
    const legacyShutdown = { name: shutdownRunbook.name, steps: shutdownRunbook.steps.map((s) => (s.id === snapshotBefore.id ? legacySnapshot : s)) };
    const s = await runRunbook({
      runbook: legacyShutdown,
      clock: bed.twin.clock,
      identity: bed.identity,
      stateDir: bed.stateDir,
      makeEnv: ({ runDir }): RunbookEnv => ({ cluster: bed.conn.cluster, power: bed.power, options: defaultRunOptions, runDir }),
      options: { yes: true },
    });
    expect(s.message ?? '').toBe('');
    expect(s.state).toBe('completed');
    const before = factOf<ClusterSnapshot>(s.runDir!, SnapshotFacts.before);
    expect(before.redaction).toBeUndefined();
    expect(digestIn(before.settings['containerd-registry']?.value)).toBe(maskSecret(registryPassword, { salt: bed.identity.uid }));

    const r = await bed.restart(s.runId);
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const verification = factOf<Recorded>(r.runDir!, SnapshotFacts.verification);
    expect(verification.diff.filter((d) => d.rule === 'settings')).toEqual([]);
    expect(verification.summary.errors).toBe(0);

    const clean = await verify();
    expect(clean.code).toBe(ExitCode.ok);
    expect((JSON.parse(clean.stdout) as Verification).differences).toEqual([]);

    await setSetting(bed, 'containerd-registry', registry('a-new-password'));
    const changed = await verify();
    expect(changed.code).toBe(ExitCode.failed);
    const out = JSON.parse(changed.stdout) as Verification;
    expect(out.differences.map((d) => `${d.severity} ${d.path}`)).toEqual(['error settings/containerd-registry']);
    expect(changed.stdout).not.toContain('a-new-password');
  });

  it('a restart whose shutdown key was deleted goes on: the secret settings are warnings, not differences', async () => {
    const s = await bed.shutdown();
    expect(s.state).toBe('completed');
    const keyFile = redactionKeyPath(bed.stateDir);
    const keyId = loadRedactionKey(bed.stateDir)!.id;
    const aside = join(bed.stateDir, '..', `${keyId}.restart-aside`);
    renameSync(keyFile, aside);
    try {
      const r = await bed.restart(s.runId);
      expect(r.message ?? '').toBe('');
      expect(r.state).toBe('completed');
      const records = readJournal(join(r.runDir!, 'journal.jsonl')).records;
      const warnings = records.flatMap((x) => (x.type === 'warning' ? [x.message] : []));
      const cannot = warnings.filter((w) => w.includes(`cannot compare: recorded with redaction key ${keyId}, not found in ${bed.stateDir}`));
      expect(cannot.map((w) => w.split(':')[0]).sort()).toEqual(['settings/containerd-registry', 'settings/http-proxy']);
      const verification = factOf<Recorded>(r.runDir!, SnapshotFacts.verification);
      expect(verification.summary.errors).toBe(0);
      expect(loadRedactionKey(bed.stateDir)).toBeUndefined(); // a restart never makes a key
    } finally {
      renameSync(aside, keyFile);
    }
  });

  it('a shutdown with a corrupt key file stops at recording the settings, before anything is changed, and leaves the file as it was', async () => {
    const keyFile = redactionKeyPath(bed.stateDir);
    const intact = readFileSync(keyFile, 'utf8');
    const damaged = `${intact.slice(0, 30)}\n`;
    writeFileSync(keyFile, damaged);
    try {
      const r = await bed.shutdown();
      expect(r.state).not.toBe('completed');
      expect(r.exitCode).toBe(ExitCode.usage);
      expect(r.message).toContain(`The redaction key file ${keyFile} is corrupt`);
      expect(r.message).toContain(`mv ${keyFile} ${keyFile}.corrupt`);
      expect(r.finished).toEqual(['shutdown.support-bundle']);
      const started = readJournal(join(r.runDir!, 'journal.jsonl')).records.flatMap((x) => (x.type === 'step-start' ? [x.step] : []));
      expect(started).toEqual(['shutdown.support-bundle', 'shutdown.record-network']);
      expect(readFileSync(keyFile, 'utf8')).toBe(damaged);
    } finally {
      writeFileSync(keyFile, intact);
    }
  });
});

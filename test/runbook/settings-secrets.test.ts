// Harvester settings carry credentials (a registry password in containerd-registry, a
// proxy's user:password in http-proxy). The shutdown records settings twice — the network
// facts and the before snapshot — and neither may hold them: the journal's bytes are
// searched. The restart must still verify 0 differences, and a password changed behind
// fallow's back must still show as a difference.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../src/common/harvester-types.js';
import { readJournal } from '../../src/journal/reader.js';
import { redactionToCompareWith } from '../../src/journal/redaction-key.js';
import { replay } from '../../src/journal/replay.js';
import { captureSnapshot, diffSnapshots, parseSnapshot } from '../../src/report/index.js';
import { etcdThroughRunningPod, readerFromNamedKindApi } from '../../src/report/snapshot-reader.js';
import { Facts, SnapshotFacts } from '../../src/runbook/facts.js';
import { startBed, type Bed } from './bed.js';
import { secretSettings, setSecretSettings, setSetting } from './secret-settings.js';

const settings = secretSettings('never-recorded');
const { registryPassword, proxyPassword, registry } = settings;

describe('settings with credentials across a cycle', () => {
  let bed: Bed;
  let shutdownRun = '';

  function journalBytes(): string {
    const dir = join(bed.stateDir, bed.identity.uid);
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => readFileSync(join(dir, d.name, 'journal.jsonl'), 'utf8'))
      .join('\n');
  }

  beforeAll(async () => {
    bed = await startBed();
    await setSecretSettings(bed, settings);
  });
  afterAll(async () => bed?.close());

  it('records the settings without their credentials, keeping hosts and URLs', async () => {
    const r = await bed.shutdown();
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    shutdownRun = r.runId;
    const bytes = journalBytes();
    expect(bytes).not.toContain(registryPassword);
    expect(bytes).not.toContain(proxyPassword);
    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    const net = facts.get(Facts.network.key) as { settings: Record<string, string> };
    expect(net.settings['http-proxy']).toMatch(/http:\/\/ops:\*\*\*~[\w-]{12}@proxy\.example\.com:3128/);
    expect(net.settings['containerd-registry']).toContain('registry.example.com:5000');
  });

  it('restarts and verifies 0 differences, still with no credential in any journal', async () => {
    const r = await bed.restart(shutdownRun);
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    const verification = facts.get(SnapshotFacts.verification) as { summary: { errors: number }; diff: { path: string }[] };
    expect(verification.diff.filter((d) => d.path.startsWith('settings/'))).toEqual([]);
    expect(verification.summary.errors).toBe(0);
    const bytes = journalBytes();
    expect(bytes).not.toContain(registryPassword);
    expect(bytes).not.toContain(proxyPassword);
  });

  it('still sees a registry password changed after the shutdown as a difference', async () => {
    await setSetting(bed, 'containerd-registry', registry('a-new-password'));
    const shutdownJournal = join(bed.stateDir, bed.identity.uid, shutdownRun, 'journal.jsonl');
    const recorded = replay(readJournal(shutdownJournal).records).facts.get(SnapshotFacts.before);
    const before = parseSnapshot(JSON.stringify(recorded), 'the recorded snapshot');
    const c = bed.conn.cluster;
    const etcd = etcdThroughRunningPod((ns) => c.list<PodObject>('Pod', { namespace: ns }), (node) => c.etcdMembers(node));
    // captured as `fallow verify` does: with the recorded snapshot's scheme and the state root's key
    const after = await captureSnapshot(readerFromNamedKindApi(c, etcd), { redaction: redactionToCompareWith(before.redaction, bed.stateDir) });
    const settings = diffSnapshots(before, after).filter((d) => d.path.startsWith('settings/'));
    expect(settings.map((d) => `${d.severity} ${d.path}`)).toEqual(['error settings/containerd-registry']);
    expect(JSON.stringify(settings)).not.toContain('a-new-password');
  });
});

// Comparing settings whose secrets are masked: a snapshot fallow recorded before the
// redaction key (the fixture, written by 659db74's capture: UID-salted digests, no stamp)
// is compared under its own scheme, so an unchanged cluster shows no difference and a
// changed secret one; a keyed snapshot whose key is gone gives "cannot compare" warnings,
// never differences, while a change outside the secrets is still an error.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedactionKey } from '../../src/common/redact.js';
import type { RedactionPlan } from '../../src/common/redaction.js';
import { ensureRedactionKey, redactionToCompareWith } from '../../src/journal/redaction-key.js';
import { captureSnapshot, diffSnapshots, parseSnapshot, type ClusterSnapshot } from '../../src/report/index.js';
import { newStore, secrets, seedCluster, storeReader } from './fixture-cluster.js';

type TestStore = ReturnType<typeof newStore>;
const at = () => Date.parse('2025-01-10T09:00:00Z');
const legacyFixture = () => parseSnapshot(readFileSync(new URL('./fixtures/legacy-before-snapshot.json', import.meta.url), 'utf8'), 'the legacy fixture');

function cluster(): TestStore {
  const store = newStore();
  const etcd = seedCluster(store);
  etcdOf.set(store, etcd);
  return store;
}
const etcdOf = new WeakMap<TestStore, ReturnType<typeof seedCluster>>();

function capture(store: TestStore, redaction: RedactionPlan): Promise<ClusterSnapshot> {
  return captureSnapshot(storeReader(store, async () => etcdOf.get(store) ?? null), { now: at, redaction });
}

function setSetting(store: TestStore, name: string, edit: (value: string) => string): void {
  const t = store.typeOfKind('harvesterhci.io/v1beta1', 'Setting');
  const s = store.get(t, undefined, name) as { value?: string };
  store.update(t, { ...store.get(t, undefined, name), value: edit(s.value ?? '') });
}

const settingDiffs = (before: ClusterSnapshot, after: ClusterSnapshot) =>
  diffSnapshots(before, after).filter((d) => d.rule === 'settings').map((d) => `${d.severity} ${d.path}`);

describe('settings compared under the recorded redaction scheme', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fallow-redaction-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a legacy snapshot (UID-salted digests) against the unchanged cluster: no difference at all', async () => {
    ensureRedactionKey(root); // a key in the state root must not change how a legacy run compares
    const before = legacyFixture();
    expect(before.redaction).toBeUndefined();
    expect(before.settings['containerd-registry']?.value).toMatch(/"Password":"\*\*\*~[\w-]{12}"/);
    const after = await capture(cluster(), redactionToCompareWith(before.redaction, root));
    expect(after.redaction).toBeUndefined();
    expect(diffSnapshots(before, after)).toEqual([]);
  });

  it('a legacy snapshot against a cluster whose registry or proxy password changed: that difference', async () => {
    const before = legacyFixture();
    const store = cluster();
    setSetting(store, 'containerd-registry', (v) => v.replace(secrets.registryPassword, 'another-password'));
    expect(settingDiffs(before, await capture(store, redactionToCompareWith(before.redaction, root)))).toEqual(['error settings/containerd-registry']);
    setSetting(store, 'http-proxy', (v) => v.replace(secrets.proxyPassword, 'another-password'));
    expect(settingDiffs(before, await capture(store, redactionToCompareWith(before.redaction, root)))).toEqual([
      'error settings/containerd-registry',
      'error settings/http-proxy',
    ]);
  });

  it('a keyed snapshot, same key: equal digests for the same secrets, a difference for a changed one', async () => {
    const store = cluster();
    const before = await capture(store, { kind: 'keyed', key: ensureRedactionKey(root) });
    const again = await capture(store, redactionToCompareWith(before.redaction, root));
    expect(again.settings).toEqual(before.settings);
    expect(diffSnapshots(before, again)).toEqual([]);
    setSetting(store, 'http-proxy', (v) => v.replace(secrets.proxyPassword, 'another-password'));
    expect(settingDiffs(before, await capture(store, redactionToCompareWith(before.redaction, root)))).toEqual(['error settings/http-proxy']);
  });

  it('a keyed snapshot whose key is not in the state root: "cannot compare" warnings, a change elsewhere still an error', async () => {
    const store = cluster();
    const key = new RedactionKey(randomBytes(32)); // recorded on another machine
    const before = await capture(store, { kind: 'keyed', key });
    const plan = redactionToCompareWith(before.redaction, root);
    expect(plan).toEqual({ kind: 'key-missing', keyId: key.id, stateRoot: root });
    setSetting(store, 'containerd-registry', (v) => v.replace(secrets.registryPassword, 'changed-but-unknowable'));
    const diff = diffSnapshots(before, await capture(store, plan));
    expect(diff.map((d) => `${d.severity} ${d.path}`)).toEqual(['warning settings/containerd-registry', 'warning settings/http-proxy']);
    for (const d of diff) expect(d.explanation).toContain(`cannot compare: recorded with redaction key ${key.id}, not found in ${root}`);
    setSetting(store, 'http-proxy', (v) => v.replace('proxy.lab:3128', 'proxy2.lab:3128'));
    expect(settingDiffs(before, await capture(store, plan)).sort()).toEqual(['error settings/http-proxy', 'warning settings/containerd-registry']);
  });

  it('refuses a snapshot stamped with a scheme this fallow does not know, rather than compare its digests', () => {
    const text = JSON.stringify({ ...legacyFixture(), redaction: { scheme: 'keyed-scrypt/v9', keyId: 'k' } });
    expect(() => parseSnapshot(text, 'the recorded snapshot')).toThrow(/the recorded snapshot masks its secrets with a redaction scheme this fallow does not know \("keyed-scrypt\/v9"\)/);
  });
});

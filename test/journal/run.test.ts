import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, openRun } from '../../src/journal/run.js';
import { ClusterMismatchError, LockHeldError } from '../../src/journal/errors.js';
import { listRuns, latestCompleted, resumableRuns } from '../../src/journal/runs.js';
import { UsageError } from '../../src/common/errors.js';
import { SecretRegistry } from '../../src/journal/secrets.js';
import { resolveStateRoot, runDirOf } from '../../src/journal/paths.js';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';
import { tempDirs } from '../engine/helpers/tmp.js';
import { identity } from './helpers.js';

const tmp = tempDirs();
const steps = [{ id: 'a', title: 'A', phase: 'p', destructive: true }];

function start(stateDir: string, clock = new VirtualClock(), runbook = 'shutdown') {
  return createRun({ stateDir, identity, clock, runbook, steps, options: { yes: false } });
}

describe('runs', () => {
  it('creates <state>/<cluster-uid>/<run-id>/journal.jsonl with private modes', () => {
    const root = tmp();
    const run = start(join(root, 'state'));
    expect(run.runDir).toBe(join(root, 'state', identity.uid, run.runId));
    expect(run.runId).toMatch(/^20250314T220000Z-shutdown-[0-9a-f]{4}$/);
    for (const d of [join(root, 'state'), join(root, 'state', identity.uid), run.runDir]) expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(run.state.start).toMatchObject({ runbook: 'shutdown', cluster: identity, options: { yes: false }, steps });
    expect(run.state.start.version).toMatch(/^\d+\.\d+\.\d+/);
    run.close();
  });

  it('refuses a second run on the same cluster while the first holds the lock', () => {
    const root = tmp();
    const first = start(root);
    expect(() => start(root)).toThrow(LockHeldError);
    first.close();
    start(root).close();
  });

  it('resumes only against the same cluster, naming both when not', () => {
    const root = tmp();
    const run = start(root);
    run.close();
    const other = { uid: 'ffffffff-0000-4000-8000-000000000000', server: 'https://10.9.9.9:6443' };
    expect(() => openRun({ runDir: run.runDir, identity: other, clock: new VirtualClock() })).toThrow(
      new RegExp(`belongs to cluster ${identity.uid} at https://10.0.0.10:6443, but the kubeconfig points at cluster ${other.uid} at https://10.9.9.9:6443`),
    );
    const moved = { uid: identity.uid, server: 'https://10.0.0.11:6443' };
    expect(() => openRun({ runDir: run.runDir, identity: moved, clock: new VirtualClock() })).toThrow(ClusterMismatchError);
    const ok = openRun({ runDir: run.runDir, identity: moved, clock: new VirtualClock(), allowServerChange: true });
    expect(ok.state.resumes).toHaveLength(1);
    ok.close();
    const same = openRun({ runDir: run.runDir, identity: { ...identity, server: 'https://10.0.0.10:6443/' }, clock: new VirtualClock() });
    same.close();
  });

  it('refuses to resume a completed run', () => {
    const root = tmp();
    const run = start(root);
    run.journal.append({ type: 'run-end', state: 'completed', exitCode: 0 });
    run.close();
    expect(() => openRun({ runDir: run.runDir, identity, clock: new VirtualClock() })).toThrow(UsageError);
  });

  it('journals a takeover of a dead run’s lock when resuming', () => {
    const root = tmp();
    const run = start(root);
    run.journal.close(); // "crash": the lock stays behind with our pid
    const lockFile = join(root, identity.uid, 'lock');
    const held = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number };
    expect(held.pid).toBe(process.pid);
    // Our own pid is alive, so make it a dead one (above Linux's pid_max).
    const dead = 2 ** 22 + 17;
    const text = readFileSync(lockFile, 'utf8').replace(`"pid":${process.pid}`, `"pid":${dead}`);
    writeFileSync(lockFile, text);
    const resumed = openRun({ runDir: run.runDir, identity, clock: new VirtualClock() });
    expect(resumed.state.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/stale lock: .*pid 4194321/)]);
    resumed.close();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('lists runs: latest completed shutdown and the resumable ones', () => {
    const root = tmp();
    const clock = new VirtualClock();
    const ended = (state: 'completed' | 'stopped', runbook = 'shutdown') => {
      const r = start(root, clock, runbook);
      r.journal.append(state === 'completed' ? { type: 'run-end', state, exitCode: 0 } : { type: 'run-end', state, reason: 'interrupted', exitCode: 130 });
      r.close();
      clock.advance(60_000);
      return r.runId;
    };
    const s1 = ended('completed');
    const s2 = ended('completed');
    const stopped = ended('stopped', 'restart');
    const open = start(root, clock, 'restart');
    open.close();
    const runs = listRuns(root, identity.uid);
    expect(runs.map((r) => r.runId)).toEqual([s1, s2, stopped, open.runId]);
    expect(latestCompleted(runs, 'shutdown')?.runId).toBe(s2);
    expect(resumableRuns(runs).map((r) => [r.runId, r.state])).toEqual([
      [stopped, 'stopped'],
      [open.runId, 'incomplete'],
    ]);
  });
});

describe('run options', () => {
  it('refuses a secret in the run options before creating anything', () => {
    const root = tmp();
    const reg = new SecretRegistry();
    reg.register('tok-0123456789', 'API token');
    expect(() => createRun({ stateDir: root, identity, clock: new VirtualClock(), runbook: 'shutdown', steps, options: { token: 'tok-0123456789' }, secrets: reg })).toThrow(
      /Refused to write API token to the journal \(run options\)/,
    );
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('state root', () => {
  it('is --state-dir, else $FALLOW_STATE_DIR, else $XDG_STATE_HOME/fallow, else ~/.local/state/fallow', () => {
    expect(resolveStateRoot('/x/y', { FALLOW_STATE_DIR: '/env' })).toBe('/x/y');
    expect(resolveStateRoot(undefined, { FALLOW_STATE_DIR: '/env', XDG_STATE_HOME: '/xdg' })).toBe('/env');
    expect(resolveStateRoot(undefined, { XDG_STATE_HOME: '/xdg' })).toBe('/xdg/fallow');
    expect(resolveStateRoot(undefined, {})).toBe(join(homedir(), '.local', 'state', 'fallow'));
  });

  it('refuses cluster UIDs and run ids that are not plain path segments', () => {
    expect(() => runDirOf('/s', '../etc', 'r')).toThrow(/Invalid cluster UID "..\/etc"/);
    expect(() => runDirOf('/s', 'uid', 'a/b')).toThrow(/Invalid run id/);
  });
});

// Crash matrix: the test runbook runs in a real child process that SIGKILLs itself at
// crash point N (after each durable journal record, and at every hook inside every act);
// a new process resumes. Every N must end in the same world as an uninterrupted run, with
// each non-idempotent act applied exactly once and the journal intact. Half the points
// also get a torn half-record appended, as if the kill had hit during a write.
import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { readJournal } from '../../src/journal/reader.js';
import { JOURNAL_FILE } from '../../src/journal/paths.js';
import { compileForNode, type Compiled } from './helpers/compile.js';
import { pool, runChild, type ChildResult } from './helpers/child.js';
import { tempDirs } from './helpers/tmp.js';
import { initialWorld, readWorld, writeWorld, type World } from './fixtures/world.js';
import { nonIdempotent } from './fixtures/test-runbook.js';

const CLUSTER_UID = '5d1c0a7e-2b4f-4c6d-8e9f-a0b1c2d3e4f5'; // run-test-runbook.ts's identity
const tmp = tempDirs('fallow-crash-');
let compiled: Compiled;
const env = { FALLOW_CLOCK: new ScaledClock(50).toEnv(), FALLOW_TEST_JOB_MS: '300' };

// The uninterrupted run every crashed one is compared with, and its crash points.
let reference: World;
let points: { n: number; label: string }[];

beforeAll(async () => {
  compiled = compileForNode(join(import.meta.dirname, 'fixtures', 'run-test-runbook.ts'), 'crash');
  const ref = scenario();
  const clean = await runChild(compiled.entry, ['run', ref.state, ref.world], { ...env, FALLOW_TEST_POINTS: '1' });
  expect(result(clean)).toMatchObject({ state: 'completed', exitCode: 0 });
  reference = readWorld(ref.world);
  points = [...clean.stdout.matchAll(/^point (\d+) (.+)$/gm)].map((m) => ({ n: Number(m[1]), label: m[2] ?? '' }));
});
afterAll(() => compiled?.dispose());

function scenario(): { world: string; state: string } {
  const dir = tmp();
  const world = join(dir, 'world.json');
  writeWorld(world, initialWorld);
  mkdirSync(join(dir, 'state'));
  return { world, state: join(dir, 'state') };
}

function result(child: ChildResult): { state: string; exitCode: number } {
  const line = child.stdout.split('\n').find((l) => l.startsWith('result '));
  if (!line) throw new Error(`no result line (code ${child.code}, signal ${child.signal}): ${child.stderr}`);
  return JSON.parse(line.slice('result '.length)) as { state: string; exitCode: number };
}

/** The world without what legitimately differs between runs (timestamps). */
function essence(w: World): object {
  return { ...w, jobReadyAt: w.jobReadyAt !== undefined, applied: Object.fromEntries(nonIdempotent.map((s) => [s, w.applied[s]])) };
}

describe('crash anywhere, then resume', () => {
  it('ends like an uninterrupted run, applying non-idempotent acts once, from every crash point', async () => {
    expect(reference.applied).toEqual({ 'save-and-zero': 1, 'save-and-zero.mark': 1, 'append-once': 1, 'start-job': 1, restore: 1 });
    expect(reference.log).toEqual(['appended', 'restored 7']);
    expect(points.length).toBeGreaterThan(25);
    expect(points.filter((p) => p.label.startsWith('act:'))).toHaveLength(7);

    const failures = await pool(points, 3, async ({ n, label }) => {
      const where = `crash at point ${n} (${label})`;
      try {
        const s = scenario();
        const crashed = await runChild(compiled.entry, ['run', s.state, s.world], { ...env, FALLOW_TEST_CRASH_AT: String(n) });
        if (crashed.signal !== 'SIGKILL') return `${where}: the child was not killed (${crashed.code}): ${crashed.stderr}`;
        const clusterDir = join(s.state, CLUSTER_UID);
        const runDir = join(clusterDir, readdirSync(clusterDir).find((d) => d !== 'lock' && !d.startsWith('.')) ?? '');
        const journal = join(runDir, JOURNAL_FILE);
        if (n % 2 === 1) appendFileSync(journal, '{"v":1,"seq":999,"t":0,"type":"outco');
        const resumed = await runChild(compiled.entry, ['resume', runDir, s.world], env);
        if (label === 'journal:run-end') {
          // Killed after the run was complete: nothing to resume, nothing changed.
          expect(resumed.stdout, where).toMatch(/^refused Run \S+ already completed: there is nothing to resume/m);
          expect(essence(readWorld(s.world)), where).toEqual(essence(reference));
          return undefined;
        }
        const r = result(resumed);
        if (r.state !== 'completed') return `${where}: resume ended ${JSON.stringify(r)} ${resumed.stderr}`;
        const world = readWorld(s.world);
        expect(essence(world), where).toEqual(essence(reference));
        expect(world.applied['save-and-zero.mark'], where).toBe(1);
        const { records, torn } = readJournal(journal);
        expect(torn, where).toBeUndefined();
        // A stored wait start is reused, never replaced while the wait is open.
        const waits = records.filter((x) => x.type === 'wait-start' || x.type === 'wait-end').map((x) => x.type);
        expect(waits.join(' '), where).toMatch(/^(wait-start wait-end ?)+$/);
        if (!label.startsWith('journal:wait-end')) expect(waits, where).toEqual(['wait-start', 'wait-end']);
        expect(records.filter((x) => x.type === 'fact').map((x) => x.type === 'fact' && x.value), where).toEqual([7]);
        const warnings = records.filter((x) => x.type === 'warning').map((x) => (x.type === 'warning' ? x.message : ''));
        expect(warnings.some((m) => /stale lock/.test(m)), where).toBe(true);
        expect(warnings.some((m) => /torn last line/.test(m)), where).toBe(n % 2 === 1);
        expect(records.at(-1), where).toMatchObject({ type: 'run-end', state: 'completed' });
        return undefined;
      } catch (err) {
        return (err as Error).message.startsWith(where) ? (err as Error).message : `${where}: ${(err as Error).message}`;
      }
    });
    expect(failures.filter(Boolean)).toEqual([]);
  }, 240_000);

  it('survives crashing again and again, resumes included', async () => {
    // Every process dies at its 7th crash point: the resumes themselves are killed, each
    // after a little progress, until one gets to the end.
    const s = scenario();
    const storm = { ...env, FALLOW_TEST_CRASH_AT: '7' };
    let child = await runChild(compiled.entry, ['run', s.state, s.world], storm);
    const clusterDir = join(s.state, CLUSTER_UID);
    const runDir = join(clusterDir, readdirSync(clusterDir).find((d) => d !== 'lock' && !d.startsWith('.')) ?? '');
    let kills = 0;
    while (child.signal === 'SIGKILL' && kills < 40) {
      kills += 1;
      child = await runChild(compiled.entry, ['resume', runDir, s.world], storm);
    }
    expect(result(child).state).toBe('completed');
    expect(kills).toBeGreaterThan(3);
    expect(essence(readWorld(s.world))).toEqual(essence(reference));
    const records = readJournal(join(runDir, JOURNAL_FILE)).records;
    expect(records.filter((r) => r.type === 'resume')).toHaveLength(kills);
  }, 120_000);
});


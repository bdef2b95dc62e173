// The guard journal: durable checksummed lines that survive a guard restart, a torn or
// damaged line reported rather than fatal, secrets refused, and the phase an earlier guard
// left the cluster in.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../src/common/clock.js';
import type { GuardEvent } from '../../../src/guard/events.js';
import { GuardJournal, lastGuardRun, phaseFromJournal, readGuardJournal, type GuardRecord } from '../../../src/guard/wiring/guard-journal.js';
import { SecretRegistry } from '../../../src/journal/secrets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fileIn = () => {
  const d = mkdtempSync(join(tmpdir(), 'fallow-guard-journal-'));
  dirs.push(d);
  return join(d, 'cluster-uid', 'guard.jsonl');
};
const clock = new ScaledClock(1, Date.now(), 1_700_000_000_000);
const action = (action: 'shutdown' | 'restart', outcome: 'started' | 'finished' | 'failed'): GuardEvent => ({ type: 'guard.action', at: clock.now(), action, outcome, detail: '' });
const asRecords = (es: GuardEvent[]): GuardRecord[] => es.map((e, i) => ({ ...e, v: 1, seq: i + 1, t: e.at }));

describe('GuardJournal', () => {
  it('appends durable records, private, and goes on numbering after a reopen', () => {
    const file = fileIn();
    const a = GuardJournal.open(file, clock);
    expect(a.earlier).toEqual({ records: [], problems: [] });
    a.journal.append({ type: 'guard.stop', at: 1, phase: 'armed' });
    a.journal.close();
    const b = GuardJournal.open(file, clock);
    b.journal.append(action('shutdown', 'started'));
    b.journal.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { records, problems } = readGuardJournal(file);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.seq, r.type])).toEqual([
      [1, 'guard.stop'],
      [2, 'guard.action'],
    ]);
  });

  it('a torn last line or a damaged one is reported, the rest still read', () => {
    const file = fileIn();
    const { journal } = GuardJournal.open(file, clock);
    journal.append(action('shutdown', 'started'));
    journal.append(action('shutdown', 'finished'));
    journal.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    appendFileSync(file, '{"v":1,"seq":3,"type":"guard.st');
    const torn = readGuardJournal(file);
    expect(torn.records).toHaveLength(2);
    expect(torn.problems).toEqual([expect.stringMatching(/line 3: no newline at the end/)]);
    appendFileSync(file, '\n' + (lines[0] ?? '').replace('started', 'stopped') + '\n');
    const damaged = readGuardJournal(file);
    expect(damaged.problems.some((p) => /checksum mismatch/.test(p))).toBe(true);
  });

  it('refuses to write a registered secret', () => {
    const secrets = new SecretRegistry();
    secrets.register('nut-pass-123', 'NUT password of monuser');
    const { journal } = GuardJournal.open(fileIn(), clock, secrets);
    expect(() => journal.append({ type: 'guard.operator', at: 1, message: 'password is nut-pass-123' })).toThrow(/Refused to write NUT password of monuser/);
    expect(journal.scrub('password is nut-pass-123')).toBe('password is [redacted]');
    journal.close();
  });
});

describe('where an earlier guard left off', () => {
  it.each([
    [[], 'armed'],
    [[action('shutdown', 'started')], 'armed'],
    [[action('shutdown', 'started'), action('shutdown', 'finished')], 'down'],
    [[action('shutdown', 'started'), action('shutdown', 'failed')], 'armed'],
    [[action('shutdown', 'finished'), action('restart', 'started'), action('restart', 'finished')], 'armed'],
  ] as [GuardEvent[], string][])('%# → %s', (events, phase) => {
    expect(phaseFromJournal(asRecords(events))).toBe(phase);
  });

  it('finds the newest run an action started', () => {
    const run = (action: 'shutdown' | 'restart', runId: string): GuardEvent => ({ type: 'guard.run', at: 1, action, runId, runDir: `/s/${runId}`, resumed: false, partial: false });
    const rs = asRecords([run('shutdown', 'a'), run('restart', 'b'), run('shutdown', 'c')]);
    expect(lastGuardRun(rs, 'shutdown')?.runId).toBe('c');
    expect(lastGuardRun(rs, 'restart')?.runId).toBe('b');
    expect(lastGuardRun([], 'restart')).toBeUndefined();
  });
});

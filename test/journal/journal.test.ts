import { readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { readJournal } from '../../src/journal/reader.js';
import { JournalCorruptError, JournalVersionError } from '../../src/journal/errors.js';
import { encodeLine } from '../../src/journal/codec.js';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';
import { tempDirs } from '../engine/helpers/tmp.js';
import { journalWithFacts, newJournal } from './helpers.js';

const tmp = tempDirs();

describe('journal', () => {
  it('writes checksummed, sequenced lines that read back as written', () => {
    const j = journalWithFacts(tmp(), [{ a: 1 }, 'x', [true, null]]);
    j.append({ type: 'step-start', step: 'a' });
    j.close();
    const { records, torn } = readJournal(j.file);
    expect(torn).toBeUndefined();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records.map((r) => r.type)).toEqual(['run-start', 'fact', 'fact', 'fact', 'step-start']);
    expect(records[1]).toMatchObject({ v: 1, key: 'k0', value: { a: 1 } });
    for (const line of readFileSync(j.file, 'utf8').trimEnd().split('\n')) expect(line).toMatch(/,"sum":"[0-9a-f]{16}"}$/);
  });

  it('stamps records with the modelled time of its clock', () => {
    const dir = tmp();
    const clock = new VirtualClock(1_000);
    const j = newJournal(dir, { clock });
    clock.advance(500);
    expect(j.append({ type: 'warning', message: 'w' }).t).toBe(1_500);
  });

  it('creates the journal 0600 in its directory', () => {
    const j = newJournal(tmp());
    expect(statSync(j.file).mode & 0o777).toBe(0o600);
  });

  it('refuses to create over an existing journal', () => {
    const dir = tmp();
    newJournal(dir).close();
    expect(() => newJournal(dir)).toThrow(/EEXIST/);
  });

  it('drops a torn last line on read, reporting it, and cuts it off when reopened', () => {
    const j = journalWithFacts(tmp(), [1, 2]);
    j.close();
    appendFileSync(j.file, '{"v":1,"seq":4,"t":0,"type":"fa');
    const read = readJournal(j.file);
    expect(read.records).toHaveLength(3);
    expect(read.torn).toMatchObject({ line: 4, reason: 'no newline at the end', bytes: 31 });

    const { journal, torn } = Journal.open({ runDir: j.runDir, clock: new VirtualClock() });
    expect(torn?.line).toBe(4);
    journal.append({ type: 'fact', key: 'after', value: 3 });
    journal.close();
    const again = readJournal(j.file);
    expect(again.torn).toBeUndefined();
    expect(again.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('treats a bad checksum on the last line as torn', () => {
    const j = journalWithFacts(tmp(), [1, 2]);
    j.close();
    const text = readFileSync(j.file, 'utf8');
    writeFileSync(j.file, text.replace(/"value":2/, '"value":9'));
    const read = readJournal(j.file);
    expect(read.records).toHaveLength(2);
    expect(read.torn?.reason).toBe('checksum mismatch');
  });

  it('names file and line for a damaged record before the last', () => {
    const j = journalWithFacts(tmp(), [1, 2, 3]);
    j.close();
    const text = readFileSync(j.file, 'utf8');
    writeFileSync(j.file, text.replace(/"value":2/, '"value":7'));
    const err = catchErr(() => readJournal(j.file));
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect((err as JournalCorruptError).message).toContain(`${j.file} line 3: checksum mismatch`);
    expect((err as JournalCorruptError).hint).toMatch(/move its run directory aside/);
  });

  it('detects a missing record by its sequence number', () => {
    const j = journalWithFacts(tmp(), [1, 2, 3]);
    j.close();
    const lines = readFileSync(j.file, 'utf8').split('\n');
    lines.splice(2, 1);
    writeFileSync(j.file, lines.join('\n'));
    expect(() => readJournal(j.file)).toThrow(/line 3: sequence number 4 where 3 was expected/);
  });

  it('refuses a schema version it does not know, even on the last line', () => {
    const j = journalWithFacts(tmp(), [1]);
    j.close();
    appendFileSync(j.file, encodeLine({ v: 2, seq: 3, t: 0, type: 'fact', key: 'k', value: 1 }));
    const err = catchErr(() => readJournal(j.file));
    expect(err).toBeInstanceOf(JournalVersionError);
    expect(String((err as Error).message)).toMatch(/line 3 has schema version 2, this fallow reads version 1/);
  });

  it('refuses a well-formed record of the wrong shape', () => {
    const j = journalWithFacts(tmp(), [1]);
    j.close();
    appendFileSync(j.file, encodeLine({ v: 1, seq: 3, t: 0, type: 'intent', step: 'a', attempt: 0, what: [] }));
    expect(() => readJournal(j.file)).toThrow(/line 3: record does not match the schema at attempt/);
  });

  it('refuses to write after it is closed', () => {
    const j = newJournal(tmp());
    j.close();
    expect(() => j.append({ type: 'warning', message: 'x' })).toThrow(/closed/);
  });
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

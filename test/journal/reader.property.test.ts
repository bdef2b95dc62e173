// Property tests of the reader: what a crash can do to the end of the file is tolerated
// and reported; what anything else does to an earlier record is detected and named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLine } from '../../src/journal/codec.js';
import { JournalCorruptError } from '../../src/journal/errors.js';
import { parseJournal } from '../../src/journal/reader.js';
import type { Json } from '../../src/engine/types.js';
import { identity } from './helpers.js';

function journalBytes(facts: Json[]): { data: Buffer; lineStarts: number[] } {
  const lines = [
    encodeLine({ v: 1, seq: 1, t: 0, type: 'run-start', runId: 'r', runbook: 'test', cluster: identity, options: null, version: 'x', steps: [], pid: 1, host: 'h' }),
    ...facts.map((value, i) => encodeLine({ v: 1, seq: i + 2, t: i, type: 'fact', key: `k${i}`, value })),
  ];
  const lineStarts: number[] = [];
  let off = 0;
  for (const l of lines) {
    lineStarts.push(off);
    off += l.length;
  }
  return { data: Buffer.concat(lines), lineStarts };
}

const facts = fc.array(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, { minLength: 1, maxLength: 6 });

describe('journal reader (properties)', () => {
  it('round-trips arbitrary JSON facts', () => {
    fc.assert(
      fc.property(facts, (values) => {
        const { records, torn } = parseJournal(journalBytes(values).data, 'j');
        expect(torn).toBeUndefined();
        const read = records.slice(1).map((r) => (r.type === 'fact' ? r.value : undefined));
        expect(read).toStrictEqual(values.map((v) => JSON.parse(JSON.stringify(v)) as Json));
      }),
      { numRuns: 200 },
    );
  });

  it('tolerates any truncation inside the last line and reports it', () => {
    fc.assert(
      fc.property(facts, fc.nat(), (values, cut) => {
        const { data, lineStarts } = journalBytes(values);
        const lastStart = lineStarts.at(-1) ?? 0;
        const end = lastStart + 1 + (cut % (data.length - lastStart - 1)); // keeps 1..len-1 bytes of the last line
        const read = parseJournal(data.subarray(0, end), 'j');
        expect(read.records).toHaveLength(values.length); // run-start + all facts but the last
        expect(read.torn).toMatchObject({ line: values.length + 1, bytes: end - lastStart });
        expect(read.validBytes).toBe(lastStart);
      }),
      { numRuns: 300 },
    );
  });

  it('detects any single-byte change inside an earlier record, naming its line', () => {
    fc.assert(
      fc.property(facts, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (values, at, delta, onNewline) => {
        const { data, lineStarts } = journalBytes(values);
        const lastStart = lineStarts.at(-1) ?? 0;
        // Any byte of any line but the last; half the time a line break, the rare hard case.
        const pos = onNewline ? (lineStarts[1 + (at % (lineStarts.length - 1))] ?? 0) - 1 : at % lastStart;
        const damaged = Buffer.from(data);
        damaged[pos] = ((damaged[pos] ?? 0) + delta) % 256;
        const line = lineStarts.filter((s) => s <= pos).length;
        let err: unknown;
        try {
          parseJournal(damaged, 'journal.jsonl');
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(JournalCorruptError);
        expect((err as JournalCorruptError).line).toBe(line);
        expect((err as Error).message).toContain(`journal.jsonl line ${line}:`);
      }),
      { numRuns: 500 },
    );
  });

  it('detects a damaged line break between the last two records', () => {
    const { data, lineStarts } = journalBytes([1, 2, 3]);
    const newline = (lineStarts.at(-1) ?? 0) - 1;
    for (const byte of [0x20, 0x00, 0x7b]) {
      const damaged = Buffer.from(data);
      damaged[newline] = byte;
      expect(() => parseJournal(damaged, 'j')).toThrow(/j line 3: a complete record runs on/);
    }
  });

  it('keeps a fact key named __proto__ as data', () => {
    const value = JSON.parse('{"__proto__":{"a":1},"b":2}') as Json;
    const { records } = parseJournal(journalBytes([value]).data, 'j');
    const fact = records[1];
    expect(fact?.type === 'fact' && Object.keys(fact.value as object)).toEqual(['__proto__', 'b']);
  });
});

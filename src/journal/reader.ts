// Reads a journal back, trusting nothing. A torn last line (the write a crash cut short:
// no newline, bad JSON or a bad checksum on the last line only) is dropped and reported;
// anything else wrong (a bad line before the last, a seq gap, an unknown schema version,
// a record of the wrong shape) is a JournalCorruptError naming file and line.
import { readFileSync } from 'node:fs';
import { decodeLine, splitLines, SUFFIX_PREFIX, SUFFIX_LEN } from './codec.js';
import { JournalCorruptError, JournalVersionError } from './errors.js';
import { JOURNAL_SCHEMA_VERSION, JournalRecordSchema, type JournalRecord } from './records.js';

export interface TornLine {
  line: number;
  reason: string;
  /** Bytes dropped from the end of the file. */
  bytes: number;
}

export interface JournalContents {
  file: string;
  records: JournalRecord[];
  torn?: TornLine;
  /** Length of the valid prefix: where the next record goes once the torn tail is cut. */
  validBytes: number;
}

export function parseJournal(data: Buffer, file: string): JournalContents {
  const lines = splitLines(data);
  const records: JournalRecord[] = [];
  let validBytes = 0;
  for (const [i, line] of lines.entries()) {
    const lineNo = i + 1;
    const last = i === lines.length - 1;
    const decoded = line.terminated ? decodeLine(line.bytes) : ({ ok: false, reason: 'no newline at the end' } as const);
    if (!decoded.ok) {
      if (last && startsWithWholeRecord(line.bytes)) {
        throw new JournalCorruptError(file, lineNo, 'a complete record runs on into more bytes (a line break was damaged)');
      }
      if (last) return { file, records, torn: { line: lineNo, reason: decoded.reason, bytes: data.length - line.start }, validBytes };
      throw new JournalCorruptError(file, lineNo, decoded.reason);
    }
    records.push(validate(decoded.value, file, lineNo, records.length + 1));
    validBytes = line.start + line.bytes.length + 1;
  }
  return { file, records, validBytes };
}

export function readJournal(file: string): JournalContents {
  return parseJournal(readFileSync(file), file);
}

/**
 * A crash leaves at most one partial record at the end. A bad last line that *begins* with a
 * complete, checksummed record is two records whose separating newline was damaged:
 * corruption, not a torn write, and dropping it would silently lose a durable record.
 */
function startsWithWholeRecord(line: Buffer): boolean {
  for (let i = line.indexOf(SUFFIX_PREFIX); i >= 0; i = line.indexOf(SUFFIX_PREFIX, i + 1)) {
    const end = i + SUFFIX_LEN;
    if (end < line.length && decodeLine(line.subarray(0, end)).ok) return true;
  }
  return false;
}

function validate(value: unknown, file: string, lineNo: number, expectedSeq: number): JournalRecord {
  const v = (value as { v?: unknown } | null)?.v;
  if (v !== JOURNAL_SCHEMA_VERSION) throw new JournalVersionError(file, lineNo, v, JOURNAL_SCHEMA_VERSION);
  const parsed = JournalRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new JournalCorruptError(file, lineNo, `record does not match the schema${where}: ${issue?.message ?? 'invalid'}`);
  }
  // Keep JSON.parse's own object, not zod's copy: a copy would lose a "__proto__" key in a fact.
  const record = value as JournalRecord;
  if (record.seq !== expectedSeq) {
    throw new JournalCorruptError(file, lineNo, `sequence number ${record.seq} where ${expectedSeq} was expected (a record is missing)`);
  }
  if ((expectedSeq === 1) !== (record.type === 'run-start')) {
    throw new JournalCorruptError(file, lineNo, expectedSeq === 1 ? `first record is "${record.type}", not "run-start"` : 'a second "run-start" record');
  }
  return record;
}

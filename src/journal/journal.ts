// The append side of a run's journal. Every append is one write of a whole line followed
// by fsync, so when append() returns the record is on disk; the caller acts only after.
// The redact guard sees every line before it is written.
import { closeSync, constants, fchmodSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { encodeLine } from './codec.js';
import { fsyncDir, JOURNAL_FILE } from './paths.js';
import { parseJournal, type TornLine } from './reader.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord, type RecordBody, type RecordOf } from './records.js';
import { secrets as defaultSecrets, type SecretRegistry } from './secrets.js';

export interface JournalOptions {
  runDir: string;
  clock: Clock;
  secrets?: SecretRegistry;
  /** Called after each record is durable (tests use it to crash at exact points). */
  onAppend?: (record: JournalRecord) => void;
}

export class Journal {
  private seq: number;
  private fd: number | undefined;
  private size: number;
  private readonly secrets: SecretRegistry;

  private constructor(
    readonly file: string,
    fd: number,
    readonly records: JournalRecord[],
    size: number,
    private readonly opts: JournalOptions,
  ) {
    this.fd = fd;
    this.seq = records.length;
    this.size = size;
    this.secrets = opts.secrets ?? defaultSecrets;
  }

  get runDir(): string {
    return this.opts.runDir;
  }

  get start(): RecordOf<'run-start'> {
    return this.records[0] as RecordOf<'run-start'>;
  }

  /** Creates the journal (the run directory must exist) and writes its run-start record. */
  static create(opts: JournalOptions, runStart: Omit<RecordOf<'run-start'>, 'v' | 'seq' | 't'>): Journal {
    const file = join(opts.runDir, JOURNAL_FILE);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND;
    const fd = openSync(file, flags, 0o600);
    fchmodSync(fd, 0o600);
    const journal = new Journal(file, fd, [], 0, opts);
    try {
      journal.append(runStart);
    } catch (err) {
      journal.close();
      throw err;
    }
    fsyncDir(opts.runDir);
    return journal;
  }

  /**
   * Opens an existing journal to go on writing: validates it (throwing on corruption,
   * before anything is written), cuts a torn last line off so the next record does not
   * follow garbage, and reports what was cut.
   */
  static open(opts: JournalOptions): { journal: Journal; torn?: TornLine } {
    const file = join(opts.runDir, JOURNAL_FILE);
    const contents = parseJournal(readFileSync(file), file);
    const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
    if (contents.torn) {
      ftruncateSync(fd, contents.validBytes);
      fsyncSync(fd);
    }
    return { journal: new Journal(file, fd, contents.records, contents.validBytes, opts), ...(contents.torn ? { torn: contents.torn } : {}) };
  }

  /** Writes one record durably and returns it with its envelope. */
  append<B extends RecordBody>(body: B): B & JournalRecord {
    if (this.fd === undefined) throw new Error(`Journal ${this.file} is closed (or an earlier write to it failed)`);
    const record = { v: JOURNAL_SCHEMA_VERSION, seq: this.seq + 1, t: this.opts.clock.now(), ...body } as B & JournalRecord;
    const line = encodeLine(record);
    this.secrets.assertClean(line.toString('utf8'), `the journal (${describe(body)})`);
    try {
      for (let off = 0; off < line.length; ) off += writeSync(this.fd, line, off, line.length - off);
      fsyncSync(this.fd);
    } catch (err) {
      // A half-written line followed by a good one would read as corruption: cut it off.
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the disk is failing; the reader will treat the tail as a torn line
      }
      this.close(); // never append after a line that may be half on disk
      throw err;
    }
    this.size += line.length;
    this.seq += 1;
    this.records.push(record);
    this.opts.onAppend?.(record);
    return record;
  }

  /** Free text that may quote a secret (error messages), made safe to journal. */
  scrub(text: string): string {
    return this.secrets.scrub(text);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function describe(body: RecordBody): string {
  if (body.type === 'fact') return `fact "${body.key}"`;
  return 'step' in body && body.step ? `${body.type} record of step ${body.step}` : `${body.type} record`;
}

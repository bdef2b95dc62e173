// The guard's own journal: <state>/<cluster-uid>/guard.jsonl, one checksummed line per
// GuardEvent (the run journal's line codec), fsynced, append-only across guard restarts.
// The runs the guard starts keep their own journals; this file links them (guard.run) and
// holds what only the guard saw: the UPS, its decisions, the outage. The redact guard sees
// every line, so the NUT password (registered at start) can never be written.
import { closeSync, constants, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { decodeLine, encodeLine, splitLines } from '../../journal/codec.js';
import { ensurePrivateDir, fsyncDir } from '../../journal/paths.js';
import { secrets as defaultSecrets, type SecretRegistry } from '../../journal/secrets.js';
import type { GuardEvent } from '../events.js';

export const GUARD_JOURNAL_FILE = 'guard.jsonl';
export const GUARD_JOURNAL_VERSION = 1;

export type GuardRecord = GuardEvent & { v: number; seq: number; t: number };

export interface GuardJournalContents {
  records: GuardRecord[];
  /** Lines that could not be read (a torn last line, damage), with why: reported, not fatal. */
  problems: string[];
}

export function guardJournalPath(clusterDir: string): string {
  return join(clusterDir, GUARD_JOURNAL_FILE);
}

/** Reads what can be read: an outage report must not fail on one bad line. */
export function readGuardJournal(file: string): GuardJournalContents {
  if (!existsSync(file)) return { records: [], problems: [] };
  const records: GuardRecord[] = [];
  const problems: string[] = [];
  for (const [i, line] of splitLines(readFileSync(file)).entries()) {
    const d = line.terminated ? decodeLine(line.bytes) : ({ ok: false, reason: 'no newline at the end (torn write)' } as const);
    if (!d.ok) {
      problems.push(`${file} line ${i + 1}: ${d.reason}`);
      continue;
    }
    const r = d.value as Partial<GuardRecord> | null;
    if (!r || r.v !== GUARD_JOURNAL_VERSION || typeof r.type !== 'string' || !r.type.startsWith('guard.') || typeof r.at !== 'number') {
      problems.push(`${file} line ${i + 1}: not a guard record of version ${GUARD_JOURNAL_VERSION}`);
      continue;
    }
    records.push(r as GuardRecord);
  }
  return { records, problems };
}

export class GuardJournal {
  #fd: number | undefined;
  #seq: number;

  private constructor(
    readonly file: string,
    fd: number,
    seq: number,
    private readonly clock: Clock,
    private readonly secrets: SecretRegistry,
  ) {
    this.#fd = fd;
    this.#seq = seq;
  }

  /** Opens (creating it and its directory, 0700/0600) for appending; returns what it held. */
  static open(file: string, clock: Clock, secrets: SecretRegistry = defaultSecrets): { journal: GuardJournal; earlier: GuardJournalContents } {
    ensurePrivateDir(dirname(file));
    const earlier = readGuardJournal(file);
    const created = !existsSync(file);
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
    fchmodSync(fd, 0o600);
    if (created) fsyncDir(dirname(file));
    const last = earlier.records.at(-1)?.seq ?? 0;
    return { journal: new GuardJournal(file, fd, last, clock, secrets), earlier };
  }

  /** Durably appends one event (whole line, then fsync). Throws when the line holds a secret. */
  append(e: GuardEvent): GuardRecord {
    if (this.#fd === undefined) throw new Error(`Guard journal ${this.file} is closed`);
    const record = { v: GUARD_JOURNAL_VERSION, seq: this.#seq + 1, t: this.clock.now(), ...e } as GuardRecord;
    const line = encodeLine(record);
    this.secrets.assertClean(line.toString('utf8'), `the guard journal (${e.type} record)`);
    for (let off = 0; off < line.length; ) off += writeSync(this.#fd, line, off, line.length - off);
    fsyncSync(this.#fd);
    this.#seq += 1;
    return record;
  }

  /** Free text that may quote a secret (an error message), made safe to journal. */
  scrub(text: string): string {
    return this.secrets.scrub(text);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Where the guard stands after an earlier guard process: 'down' when its last action was a
 * shutdown that finished (the restart has not run yet), else 'armed'.
 */
export function phaseFromJournal(records: readonly GuardRecord[]): 'armed' | 'down' {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.type !== 'guard.action' || (r.outcome !== 'finished' && r.outcome !== 'failed')) continue;
    return r.action === 'shutdown' && r.outcome === 'finished' ? 'down' : 'armed';
  }
  return 'armed';
}

/** The newest run a guard action started, for that action. */
export function lastGuardRun(records: readonly GuardRecord[], action: 'shutdown' | 'restart'): Extract<GuardRecord, { type: 'guard.run' }> | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.type === 'guard.run' && r.action === action) return r;
  }
  return undefined;
}

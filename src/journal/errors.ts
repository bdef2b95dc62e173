// The journal's refusals, each naming the file (and line) and what the operator can do.
// All of them are raised before anything is written, so "nothing was changed" holds.
import { FatalError, NeedsOperatorError, UsageError } from '../common/errors.js';

/** A journal line that is not the torn last one failed its checks. */
export class JournalCorruptError extends FatalError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(
      `Journal is damaged: ${file} line ${line}: ${reason}; nothing was changed`,
      'Restore the file from a copy if you have one. Otherwise move its run directory aside, ' +
        'check the cluster by hand against the seed article, and start a new run',
    );
  }
}

/** Written by a fallow whose journal schema this one does not read. */
export class JournalVersionError extends FatalError {
  constructor(file: string, line: number, found: unknown, supported: number) {
    super(
      `Journal ${file} line ${line} has schema version ${String(found)}, this fallow reads version ${supported}; nothing was changed`,
      'Use the fallow version that started the run (its version is in the first line of the journal)',
    );
  }
}

/** The journal belongs to another cluster (or the same cluster at another address). */
export class ClusterMismatchError extends UsageError {}

/** Another run holds the cluster's lock. */
export class LockHeldError extends NeedsOperatorError {}

/** A value about to be journaled contains a registered secret. */
export class SecretLeakError extends FatalError {}

// Giving a run up for good (`fallow resume --abandon`): journals run-end "aborted", after
// which it is no longer offered for resume. Same cluster binding and lock as a resume.
import type { Clock } from '../common/clock.js';
import { ExitCode } from '../common/errors.js';
import type { ClusterIdentity } from '../journal/records.js';
import { openRun } from '../journal/run.js';

export function abandonRun(o: { runDir: string; identity: ClusterIdentity; clock: Clock; reason: string; allowServerChange?: boolean; breakLock?: boolean }): void {
  const run = openRun({
    runDir: o.runDir,
    identity: o.identity,
    clock: o.clock,
    options: { abandon: true },
    ...(o.allowServerChange ? { allowServerChange: true } : {}),
    ...(o.breakLock ? { breakLock: true } : {}),
  });
  try {
    run.journal.append({ type: 'run-end', state: 'aborted', message: run.journal.scrub(`Abandoned: ${o.reason}`), exitCode: ExitCode.failed });
  } finally {
    run.close();
  }
}

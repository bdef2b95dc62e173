// Facts a run inherits from the run it continues (a restart reads its shutdown's), read
// from that run's journal next to this one.
import { join } from 'node:path';
import { FatalError } from '../common/errors.js';
import { JOURNAL_FILE } from '../journal/paths.js';
import { readJournal } from '../journal/reader.js';
import { replay } from '../journal/replay.js';
import type { Json } from './types.js';

export function parentFacts(clusterDir: string, parentRunId: string, expectedUid: string): Map<string, Json> {
  const file = join(clusterDir, parentRunId, JOURNAL_FILE);
  let records;
  try {
    records = readJournal(file).records;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new FatalError(`The run this one continues (${parentRunId}) has no journal at ${file}`, 'Check --state-dir, or pick the run with `fallow status`');
  }
  const state = replay(records);
  if (state.start.cluster.uid !== expectedUid) {
    throw new FatalError(`Run ${parentRunId} belongs to cluster ${state.start.cluster.uid}, not ${expectedUid}`, 'Pick a run of this cluster');
  }
  return state.facts;
}

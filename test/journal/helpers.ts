// Builds small journals on disk for the journal tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../../src/journal/journal.js';
import type { JournalOptions } from '../../src/journal/journal.js';
import type { Json } from '../../src/engine/types.js';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';

export const identity = { uid: '0b5c1e2a-7d3f-4a8e-9c1b-5f6e7d8c9a0b', server: 'https://10.0.0.10:6443' };

export function newJournal(dir: string, extra: Partial<JournalOptions> = {}): Journal {
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { recursive: true });
  return Journal.create({ runDir, clock: new VirtualClock(), ...extra }, {
    type: 'run-start',
    runId: 'run-1',
    runbook: 'test',
    cluster: identity,
    options: { yes: true },
    version: '0.0.0-test',
    steps: [{ id: 'a', title: 'A', phase: 'p', destructive: false }],
    pid: 1,
    host: 'h',
  });
}

export function journalWithFacts(dir: string, facts: Json[]): Journal {
  const j = newJournal(dir);
  facts.forEach((value, i) => j.append({ type: 'fact', key: `k${i}`, value }));
  return j;
}

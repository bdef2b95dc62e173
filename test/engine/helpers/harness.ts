// In-process runs of a runbook against a temp state dir and world file, on a VirtualClock,
// collecting every event.
import { join } from 'node:path';
import { runRunbook, resumeRun, type ResumeRunOptions, type RunRunbookOptions } from '../../../src/engine/run.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { EngineOptions, RunResult } from '../../../src/engine/options.js';
import type { Runbook } from '../../../src/engine/types.js';
import { readJournal } from '../../../src/journal/reader.js';
import { JOURNAL_FILE } from '../../../src/journal/paths.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { initialWorld, writeWorld } from '../fixtures/world.js';
import { testRunbook, type TestEnv } from '../fixtures/test-runbook.js';
import { VirtualClock } from './virtual-clock.js';

export const identity = { uid: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a', server: 'https://127.0.0.1:6443' };

export class Harness {
  readonly clock = new VirtualClock();
  readonly events: EngineEvent[] = [];
  readonly state: string;
  readonly env: TestEnv;

  constructor(dir: string, hook: (point: string) => void = () => {}) {
    this.state = join(dir, 'state');
    const world = join(dir, 'world.json');
    writeWorld(world, initialWorld);
    this.env = { world, hook, jobMs: 300 };
  }

  run(options: EngineOptions = { yes: true }, runbook: Runbook<TestEnv> = testRunbook(), extra: Partial<RunRunbookOptions<TestEnv>> = {}): Promise<RunResult> {
    return runRunbook({ runbook, env: this.env, clock: this.clock, identity, stateDir: this.state, options, onEvent: (e) => this.events.push(e), ...extra });
  }

  resume(runDir: string, options: EngineOptions = { yes: true }, runbook: Runbook<TestEnv> = testRunbook(), extra: Partial<ResumeRunOptions<TestEnv>> = {}): Promise<RunResult> {
    return resumeRun({ runbook, env: this.env, clock: this.clock, identity, runDir, options, onEvent: (e) => this.events.push(e), ...extra });
  }

  eventsOf<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }
}

export function journalOf(runDir: string | undefined): JournalRecord[] {
  if (!runDir) throw new Error('no run directory');
  return readJournal(join(runDir, JOURNAL_FILE)).records;
}

export function recordsOf<T extends JournalRecord['type']>(records: JournalRecord[], type: T): Extract<JournalRecord, { type: T }>[] {
  return records.filter((r): r is Extract<JournalRecord, { type: T }> => r.type === type);
}

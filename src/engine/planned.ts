// The runbook's steps as the journal's run-start and the run-start event list them.
import type { PlannedStep } from '../journal/records.js';
import type { Runbook } from './types.js';

export function plannedSteps<Env>(runbook: Runbook<Env>): PlannedStep[] {
  return runbook.steps.map((s) => ({ id: s.id, title: s.title, phase: s.phase, destructive: s.destructive }));
}

// PlanProvider: where `fallow plan` gets the ordered step tables from. The runbook owns
// the order (style.md: nothing else knows it); plan only prints it and collects the RBAC
// rules the steps declare. `defaultPlanProvider` lists the runbooks that exist; tests and
// other tools pass their own.
import type { RbacRule, Step } from '../../engine/types.js';
import { restartRunbook } from '../../runbook/restart/index.js';
import { shutdownRunbook } from '../../runbook/shutdown/index.js';

/** The parts of a Step that describe it (no functions needed to print a plan). */
export type PlanStepSource = Pick<Step<unknown>, 'id' | 'title' | 'seed' | 'phase' | 'destructive' | 'records' | 'waitsFor' | 'risks' | 'rbac'> & {
  /** Present on steps the run's options switch on or off. */
  enabled?: unknown;
};

export interface PlanRunbookSource {
  name: string;
  steps: readonly PlanStepSource[];
}

export interface PlanProvider {
  runbooks(): readonly PlanRunbookSource[];
}

export const defaultPlanProvider: PlanProvider = {
  runbooks: () => [shutdownRunbook, restartRunbook],
};

export interface PlanStep {
  n: number;
  id: string;
  seed: string;
  phase: string;
  title: string;
  destructive: boolean;
  optional: boolean;
  waitsFor?: string;
  records?: string[];
}

export interface PlannedRunbook {
  name: string;
  steps: PlanStep[];
}

export function planSteps(provider: PlanProvider): PlannedRunbook[] {
  return provider.runbooks().map((rb) => ({
    name: rb.name,
    steps: rb.steps.map((s, i) => ({
      n: i + 1,
      id: s.id,
      seed: s.seed,
      phase: s.phase,
      title: s.title,
      destructive: s.destructive,
      optional: s.enabled !== undefined,
      ...(s.waitsFor ? { waitsFor: s.waitsFor } : {}),
      ...(s.records?.length ? { records: s.records } : {}),
    })),
  }));
}

/** Every rule any step declares: what the preflight access review asks about. */
export function runbookRbac(provider: PlanProvider): RbacRule[] {
  return provider.runbooks().flatMap((rb) => rb.steps.flatMap((s) => s.rbac ?? []));
}

// The restart after a shutdown that stopped part-way (power came back): "restore exactly
// what was recorded". The restart runbook's power-on steps need the node and etcd records;
// a shutdown that stopped before writing them never powered a node off, so those steps are
// skipped (journaled, with why) instead of failing. Every other restart step already
// restores only what its fact says the shutdown changed. Same step ids as the restart
// runbook, so `fallow resume` can finish such a run with the plain runbook. Used by the
// UPS guard and by `fallow restart --from-partial`.
import type { Json, Runbook, Step } from '../engine/types.js';
import type { RunbookEnv } from './env.js';
import { Facts } from './facts.js';
import { restartRunbook } from './restart/index.js';

/** Restart steps that cannot run without these shutdown records. */
const needs: Record<string, readonly { key: string }[]> = {
  'restart.power-on-leader': [Facts.network, Facts.etcd],
  'restart.net-check-leader': [Facts.network, Facts.etcd],
  'restart.power-on-etcd-members': [Facts.network, Facts.etcd],
  'restart.net-check-etcd-members': [Facts.network, Facts.etcd],
  'restart.check-vip': [Facts.network],
  'restart.power-on-workers': [Facts.network],
  'restart.net-check-workers': [Facts.network],
};

/** Why `stepId` has nothing to restore after this (partial) shutdown, if so. */
export function nothingToRestore(stepId: string, facts: ReadonlyMap<string, Json>): string | undefined {
  const missing = (needs[stepId] ?? []).filter((f) => !facts.has(f.key)).map((f) => f.key);
  if (missing.length === 0) return undefined;
  return `the shutdown stopped before it recorded ${missing.join(' and ')}, so it changed nothing this step restores`;
}

export function partialRestartRunbook(facts: ReadonlyMap<string, Json>): Runbook<RunbookEnv> {
  const steps = restartRunbook.steps.map((step): Step<RunbookEnv> => {
    const reason = nothingToRestore(step.id, facts);
    if (reason === undefined) return step;
    return { ...step, skip: async () => reason };
  });
  return { name: restartRunbook.name, steps };
}

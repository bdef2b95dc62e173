// `fallow explain` and docs/runbook.md: the ordered runbooks with each step's seed
// section, what it records, waits for and what can go wrong — generated from the step
// tables, so the documentation cannot drift from what runs.
import type { RbacRule, Runbook, Step } from '../engine/types.js';
import type { RunbookEnv } from './env.js';
import { restartRunbook } from './restart/index.js';
import { shutdownRunbook } from './shutdown/index.js';

export interface ExplainedStep {
  runbook: string;
  order: number;
  id: string;
  title: string;
  seed: string;
  phase: string;
  destructive: boolean;
  optional: boolean;
  records: string[];
  waitsFor?: string;
  risks: string[];
  /** The permissions the step declares (what `fallow rbac` grants it). */
  rbac: RbacRule[];
}

function explain(rb: Runbook<RunbookEnv>): ExplainedStep[] {
  return rb.steps.map((s: Step<RunbookEnv>, i) => ({
    runbook: rb.name,
    order: i + 1,
    id: s.id,
    title: s.title,
    seed: s.seed,
    phase: s.phase,
    destructive: s.destructive,
    optional: s.enabled !== undefined,
    records: s.records ?? [],
    ...(s.waitsFor ? { waitsFor: s.waitsFor } : {}),
    risks: s.risks ?? [],
    rbac: s.rbac ?? [],
  }));
}

export function explainRunbooks(): ExplainedStep[] {
  return [...explain(shutdownRunbook), ...explain(restartRunbook)];
}

/** One permission as a person reads it: "update virtualmachines/stop (subresources.kubevirt.io)". */
export function ruleText(r: RbacRule): string {
  return `${r.verbs.join(', ')} ${r.resource}${r.group ? ` (${r.group})` : ''}${r.namespace ? ` in ${r.namespace}` : ''}`;
}

/** Markdown for docs/runbook.md and `fallow explain` (one step, or all). */
export function explainMarkdown(steps: ExplainedStep[] = explainRunbooks()): string {
  const out: string[] = [
    '# The fallow runbook',
    '',
    'Generated from the step tables in `src/runbook/` by `fallow explain -o md`; a test keeps this file fresh.',
    'Each step checks before it acts, journals what it will destroy before destroying it, and waits on watched conditions with a stored deadline.',
    '',
  ];
  let current = '';
  for (const s of steps) {
    if (s.runbook !== current) {
      current = s.runbook;
      out.push(`## ${current === 'shutdown' ? '`fallow shutdown` (seed sections 1–4)' : '`fallow restart` (seed section 5)'}`, '');
    }
    const tags = [s.destructive ? 'destructive: asks unless --yes' : 'read-only or restoring', s.optional ? 'optional' : ''].filter(Boolean).join(', ');
    out.push(`### ${s.order}. ${s.title} — seed ${s.seed}`, '', `\`${s.id}\` · ${s.phase} · ${tags}`, '');
    if (s.records.length) out.push(`- **Records:** ${s.records.map((r) => `\`${r}\``).join(', ')}`);
    if (s.waitsFor) out.push(`- **Waits for:** ${s.waitsFor}`);
    for (const r of s.risks) out.push(`- **Can go wrong:** ${r}`);
    if (s.rbac.length) out.push(`- **Needs:** ${s.rbac.map(ruleText).join('; ')}`);
    out.push('');
  }
  return out.join('\n');
}

// The body of `fallow explain` (../commands/explain.ts declares it): selects steps from the
// runbooks' own tables and renders them; loaded only when the command runs.
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { type ExplainedStep, explainMarkdown, explainRunbooks, ruleText } from '../../runbook/explain.js';
import type { CliContext } from '../context.js';
import { type Colors, render } from '../output.js';

export interface ExplainData {
  apiVersion: 'fallow.explain/v1';
  kind: 'Runbook';
  /** The step asked about, when one was. */
  query?: string;
  steps: ExplainedStep[];
}

const shortId = (s: ExplainedStep) => s.id.slice(s.id.indexOf('.') + 1);

/**
 * The steps a query names: a step id ("shutdown.workers"), an id without its runbook
 * ("workers", which may name a step of each runbook), a runbook ("restart"), or a seed
 * section ("3.2", or "4" for 4.1–4.3).
 */
export function selectSteps(all: ExplainedStep[], query: string | undefined): ExplainedStep[] {
  if (query === undefined) return all;
  const q = query.trim().toLowerCase();
  const exact = all.filter((s) => s.id === q);
  if (exact.length) return exact;
  const byRunbook = all.filter((s) => s.runbook === q);
  if (byRunbook.length) return byRunbook;
  const byShort = all.filter((s) => shortId(s) === q);
  if (byShort.length) return byShort;
  if (/^\d+(\.\d+)*$/.test(q)) {
    const bySeed = all.filter((s) => s.seed === q || s.seed.startsWith(`${q}.`));
    if (bySeed.length) return bySeed;
  }
  const near = all.filter((s) => s.id.includes(q) || s.title.toLowerCase().includes(q)).map((s) => s.id);
  throw new UsageError(
    `no step "${query}" in the shutdown or restart runbook`,
    near.length ? `Did you mean ${near.slice(0, 4).join(', ')}?` : 'Run `fallow explain` for every step, or pass a step id, a runbook name, or a seed section such as 3.2',
  );
}

/** Wraps words at `width` columns; lines after the first start with `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const labelWidth = 14;
const indentOf = 5;

function field(label: string, text: string, width: number): string {
  return `${' '.repeat(indentOf)}${label.padEnd(labelWidth)}${wrap(text, width, indentOf + labelWidth)}`;
}

/** The terminal text: one block per step under a heading per runbook. */
export function renderExplain(d: ExplainData, c: Colors, opts: { name: string; width: number }): string {
  const out: string[] = [];
  const detailed = d.query !== undefined;
  let current = '';
  for (const s of d.steps) {
    if (s.runbook !== current) {
      current = s.runbook;
      const count = d.steps.filter((x) => x.runbook === current).length;
      const total = explainRunbooks().filter((x) => x.runbook === current).length;
      if (out.length) out.push('');
      out.push(c.bold(`${opts.name} ${current}: ${detailed && count !== total ? `${count} of ${total} steps` : `${total} steps`}`));
    }
    const kind = [s.phase, s.destructive ? c.yellow('destructive: asks unless --yes') : 'does not destroy', s.optional ? 'optional' : ''].filter(Boolean).join(' · ');
    out.push('', `  ${String(s.order).padStart(2)}. ${c.bold(s.title)}  ${c.dim(`seed ${s.seed}`)}`, `${' '.repeat(indentOf)}${s.id} · ${kind}`);
    if (s.records.length) out.push(field('records', s.records.join(', '), opts.width));
    if (s.waitsFor) out.push(field('waits for', s.waitsFor, opts.width));
    s.risks.forEach((r, i) => out.push(field(i === 0 ? 'can go wrong' : '', r, opts.width)));
    if (detailed) s.rbac.forEach((r, i) => out.push(field(i === 0 ? 'needs' : '', ruleText(r), opts.width)));
  }
  if (!detailed) out.push('', c.dim(`${opts.name} explain <step> adds the permissions each step needs; -o md is docs/runbook.md.`));
  return out.join('\n') + '\n';
}

export function explainAction(ctx: CliContext, c: Command, step: string | undefined, opts: { output: string }): void {
  const g = ctx.globals(c);
  const steps = selectSteps(explainRunbooks(), step);
  if (opts.output === 'md') {
    ctx.io.stdout.write(explainMarkdown(steps));
    return;
  }
  const data: ExplainData = { apiVersion: 'fallow.explain/v1', kind: 'Runbook', ...(step !== undefined ? { query: step } : {}), steps };
  const width = Math.min(Math.max((ctx.io.stdout as { columns?: number }).columns ?? 100, 60), 120);
  ctx.io.stdout.write(render(opts.output as 'table' | 'json' | 'yaml', data, (d) => renderExplain(d, ctx.colors(g), { name: ctx.name, width })));
}

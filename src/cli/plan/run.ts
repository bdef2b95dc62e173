// Runs `fallow plan`: connect, build the plan, render it, and say whether preflight passed.
import { ExitCode } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { type OutputFormat, render } from '../output.js';
import { buildPlan } from './plan.js';
import { defaultPlanProvider, type PlanProvider } from './provider.js';
import { renderPlan } from './render.js';

export async function runPlan(ctx: CliContext, g: GlobalOptions, output: OutputFormat, provider: PlanProvider = defaultPlanProvider): Promise<number> {
  const conn = await ctx.connect(g);
  try {
    const plan = await buildPlan(conn, provider);
    ctx.io.stdout.write(render(output, plan, (p) => renderPlan(p, ctx.colors(g))));
    return plan.ok ? ExitCode.ok : ExitCode.preflight;
  } finally {
    conn.cluster.close();
  }
}

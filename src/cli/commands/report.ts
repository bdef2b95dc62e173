// `fallow report [--run id] [--format md|html|json] [--out dir]`: the before/after report
// of a shutdown and its restart, from their journals alone (works with the cluster off).
import { Command, Option } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import type { CommandModule } from './index.js';

interface ReportFlags {
  run?: string;
  format: 'md' | 'html' | 'json';
  out?: string;
}

export const reportCommand: CommandModule = {
  name: 'report',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('report')
      .description('the before/after report of a shutdown and its restart: timeline, what was recorded, the verification diff')
      .option('--run <id>', 'a shutdown or restart run (default: the latest shutdown of this cluster)')
      .addOption(new Option('--format <format>', 'md, html (one self-contained page) or json').choices(['md', 'html', 'json']).default('md'))
      .option('--out <dir>', 'write report.<format> into this folder instead of printing it')
      .action(async (flags: ReportFlags, c: Command) => {
        const g = ctx.globals(c);
        const { pairFor, reportFor, writeReport } = await import('../run/report.js');
        const { findRunById, runsForServer } = await import('../run/find-runs.js');
        const root = ctx.stateRoot(g);
        let uid: string | undefined;
        if (flags.run) uid = findRunById(root, flags.run)?.cluster?.uid;
        else {
          const { loadKubeconfig } = await import('../../cluster/kubeconfig.js');
          const server = loadKubeconfig({ ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}), ...(g.context ? { context: g.context } : {}), env: ctx.io.env }).server;
          uid = runsForServer(root, server).at(-1)?.cluster?.uid;
        }
        if (!uid) throw new UsageError(`no run${flags.run ? ` ${flags.run}` : ''} to report on under ${root}`, 'See `fallow status --all`, or pass --state-dir');
        const report = reportFor(pairFor(root, uid, flags.run));
        if (flags.out) {
          for (const f of writeReport(report, flags.out, [flags.format])) ctx.io.stdout.write(`${f}\n`);
        } else {
          const { renderHtml, renderJson, renderMarkdown } = await import('../../report/index.js');
          ctx.io.stdout.write(flags.format === 'html' ? renderHtml(report) : flags.format === 'json' ? renderJson(report) : renderMarkdown(report));
        }
        if (!report.result.ok) ctx.exitCode = 1;
      });
    program.addCommand(cmd);
  },
};

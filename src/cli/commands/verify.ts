// `fallow verify`: compares the live cluster with the snapshot its latest shutdown
// recorded — nodes, IPs, VIP, settings, addons, Rancher scale, each VM's run strategy and
// state, volumes, system pods — at any time, read-only. Exit 1 when a difference is an error.
import { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import { outputOption, render, table, type OutputFormat } from '../output.js';
import type { CommandModule } from './index.js';

export const verifyCommand: CommandModule = {
  name: 'verify',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('verify')
      .description('compare the live cluster with the state recorded before its latest shutdown')
      .option('--run <id>', 'the shutdown whose recorded state to compare with (default: the latest)')
      .addOption(outputOption())
      .action(async (flags: { run?: string; output: OutputFormat }, c: Command) => {
        const g = ctx.globals(c);
        const [{ clusterIdentity }, { pairFor }, report, { SnapshotFacts }, { factsFromJournal }, journal, { redactionToCompareWith }] = await Promise.all([
          import('../../cluster/discovery.js'),
          import('../run/report.js'),
          import('../../report/index.js'),
          import('../../runbook/facts.js'),
          import('../../report/from-journal.js'),
          import('../../journal/reader.js'),
          import('../../journal/redaction-key.js'),
        ]);
        const conn = await ctx.connect(g);
        try {
          const id = await clusterIdentity(conn.cluster);
          const stateRoot = ctx.stateRoot(g);
          const { shutdown } = pairFor(stateRoot, id.uid, flags.run);
          const facts = factsFromJournal(journal.readJournal(`${shutdown.runDir}/journal.jsonl`).records);
          const recorded = facts[SnapshotFacts.before];
          if (recorded === undefined) throw new UsageError(`shutdown ${shutdown.runId} recorded no snapshot`, 'Resume it past its snapshot step (`fallow resume`)');
          const before = report.parseSnapshot(JSON.stringify(recorded), `the snapshot recorded by ${shutdown.runId}`);
          const { etcdThroughRunningPod, readerFromNamedKindApi } = await import('../../report/snapshot-reader.js');
          const cl = conn.cluster;
          // Secrets masked as the shutdown masked them (same scheme, same key), else reported as not comparable.
          const redaction = redactionToCompareWith(before.redaction, stateRoot);
          const reader = readerFromNamedKindApi(cl, etcdThroughRunningPod((ns) => cl.list('Pod', { namespace: ns }), (n) => cl.etcdMembers(n)));
          const after = await report.captureSnapshot(reader, { now: () => ctx.clock.now(), redaction });
          const diff = report.diffSnapshots(before, after);
          const summary = report.summarizeDiff(diff);
          const data = { apiVersion: 'fallow.verify/v1', kind: 'Verification', shutdown: shutdown.runId, summary, differences: diff };
          ctx.io.stdout.write(
            render(flags.output, data, (d) =>
              d.differences.length === 0
                ? `0 differences from the state recorded by ${d.shutdown}\n`
                : table(['SEVERITY', 'WHAT', 'BEFORE', 'NOW', 'WHY'], d.differences.map((x) => [x.severity, x.path, JSON.stringify(x.before), JSON.stringify(x.after), x.explanation])) +
                  `${d.summary.errors} errors, ${d.summary.warnings} warnings\n`,
            ),
          );
          if (summary.errors > 0) ctx.exitCode = 1;
        } finally {
          conn.cluster.close();
        }
      });
    program.addCommand(cmd);
  },
};

// `fallow rehearse`: the whole cycle against a built-in simulated Harvester cluster — a
// twin with its API, controllers, BMCs and SSH daemons on loopback — with live progress:
// plan, shutdown, restart, verify, then the report and the ordering audit from the twin's
// own event log. Nothing outside this process and 127.0.0.0/8 is touched. Flags and help
// only; the work is ../actions/rehearse.ts, loaded when a rehearsal runs.
import { Command, Option } from 'commander';
import type { RehearseFlags } from '../actions/rehearse.js';
import type { CliContext } from '../context.js';
import type { CommandModule } from './index.js';

export const rehearseCommand: CommandModule = {
  name: 'rehearse',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('rehearse')
      .description('run plan, shutdown, restart and verify against a built-in simulated Harvester cluster, and write the report')
      .option('--scenario <name|file>', 'twin scenario: default, witness, or a scenario YAML file', 'default')
      .option('--scale <n>', 'modelled seconds per wall second', '200')
      .addOption(new Option('--ssh <mode>', 'node SSH daemons: in-process, or real OpenSSH sshd').choices(['inprocess', 'sshd']).default('inprocess'))
      .addOption(new Option('--bmc <mode>', 'node BMCs: Redfish endpoints, or real ipmi_sim').choices(['redfish', 'ipmi']).default('redfish'))
      .option('--wave-size <n>', 'VM start wave size at restart')
      .option('--dir <dir>', 'where the rehearsal writes its journals and report (default: a new temp folder)')
      .option('-o, --output <format>', 'progress format: text (default) or jsonl');
    cmd.action(async (flags: RehearseFlags, c: Command) => {
      const { rehearseAction } = await import('../actions/rehearse.js');
      await rehearseAction(ctx, c, flags);
    });
    program.addCommand(cmd);
  },
};

// `fallow twin up`: a simulated Harvester cluster in the foreground (API server,
// controllers, SSH/Redfish power fronts on loopback) until Ctrl-C, printing the
// kubeconfig, FALLOW_CLOCK and power inventory to point fallow or kubectl at. The twin
// itself is src/twin/up.ts, loaded only when the command runs.
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import type { CommandModule } from './index.js';

function scale(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number > 0 (modelled seconds per wall second)');
  return n;
}

export const twinCommand: CommandModule = {
  name: 'twin',
  register(program, ctx: CliContext) {
    const twin = new Command('twin').summary('the built-in simulated Harvester cluster').description('The twin: a simulated Harvester cluster on loopback for trying fallow (see `fallow twin up --help`).');
    twin
      .command('up')
      .summary('run a twin in the foreground; prints its kubeconfig')
      .description(
        'Starts a simulated Harvester cluster (the seed article\'s nodes, VMs, addons, Rancher, Longhorn, etcd, ' +
          'and SSH/Redfish power fronts on 127.0.0.0/8) and keeps it running until Ctrl-C. It prints the kubeconfig, ' +
          'the FALLOW_CLOCK value (modelled time runs --scale times faster) and the power inventory, and writes them ' +
          'to an env file to `source` in another shell.',
      )
      .option('--scenario <name|file>', 'built-in scenario (default, witness) or a scenario YAML file', 'default')
      .option('--scale <n>', 'modelled seconds per wall second', scale, 200)
      .option('--dir <dir>', 'where the kubeconfig, env file and power inventory go (default: a new temp dir)')
      .option('--no-power-fronts', 'no SSH/Redfish fronts (nodes are then powered by hand)')
      .action(async (o: { scenario: string; scale: number; dir?: string; powerFronts: boolean }) => {
        const { twinUp } = await import('../../twin/up.js');
        await twinUp({
          scenarioPath: o.scenario,
          scale: o.scale,
          ...(o.dir ? { stateDir: o.dir } : {}),
          powerFronts: o.powerFronts,
          print: (line) => void ctx.io.stdout.write(`${line}\n`),
        });
      });
    program.addCommand(twin);
  },
};

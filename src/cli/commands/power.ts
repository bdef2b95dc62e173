// `fallow power import`: a power inventory from the BMCs Harvester Seeder already knows.
// The work is in ../power/import.ts, loaded only when the command runs.
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { outputOption, render, table, type OutputFormat } from '../output.js';
import type { PowerImportData } from '../power/import.js';
import type { CommandModule } from './index.js';

function importText(d: PowerImportData): string {
  let out = d.imported.length > 0 ? table(['NODE', 'DRIVER', 'BMC', 'USER', 'PASSWORD FILE'], d.imported.map((i) => [i.node, i.driver, `${i.address}:${i.port}`, i.username, i.passwordFile])) : '';
  for (const s of d.skipped) out += `skipped ${s.inventory}: ${s.reason}\n`;
  if (d.kept.length > 0) out += `kept from the existing inventory: ${d.kept.join(', ')}\n`;
  out += `${d.merged ? 'updated' : 'wrote'} ${d.inventory} (${d.imported.length} BMC${d.imported.length === 1 ? '' : 's'} imported; password files mode 0600)\n`;
  return out;
}

export const powerCommand: CommandModule = {
  name: 'power',
  register(program, ctx: CliContext) {
    const power = new Command('power').summary('the power inventory (how each node is switched off and on)').description('The power inventory: docs/power-inventory.md (see `fallow power import --help`).');
    power
      .command('import')
      .summary('write a power inventory from Harvester Seeder\'s BMC inventory')
      .description(
        'Reads the harvester-seeder addon\'s Inventory objects (metal.harvesterhci.io/v1alpha1: each node\'s BMC ' +
          'address, port and credentials Secret) and writes a power inventory: port 623 becomes driver ipmi, 443 redfish ' +
          '(other ports need --driver). Each BMC password goes to <node>.bmc-password (mode 0600) in --secrets-dir; the ' +
          'inventory only names that file, and nothing is printed but paths. An existing --out file is added to: its SSH ' +
          'settings and its other nodes are kept, a "manual" node Seeder knows gets its BMC. Needs list on ' +
          'inventories.metal.harvesterhci.io and get on the Secrets they reference.',
      )
      .option('--out <file>', 'the power inventory to write or add to', 'power-inventory.yaml')
      .option('--secrets-dir <dir>', 'where the password files go (default: the directory of --out)')
      .addOption(new Option('--driver <driver>', 'driver for BMC ports that are neither 623 nor 443').choices(['ipmi', 'redfish']))
      .option('--ssh-key <file>', 'defaults.ssh.keyFile for the SSH shutdown, if the inventory has none yet')
      .addOption(outputOption())
      .action(async (o: { out: string; secretsDir?: string; driver?: 'ipmi' | 'redfish'; sshKey?: string; output: OutputFormat }, c: Command) => {
        const g = ctx.globals(c);
        const { powerImport } = await import('../power/import.js');
        const conn = await ctx.connect(g);
        try {
          const data = await powerImport(conn.cluster, {
            out: o.out,
            ...(o.secretsDir ? { secretsDir: o.secretsDir } : {}),
            ...(o.driver ? { driver: o.driver } : {}),
            ...(o.sshKey ? { sshKeyFile: o.sshKey } : {}),
          });
          ctx.io.stdout.write(render(o.output, data, importText));
        } finally {
          conn.cluster.close();
        }
      });
    program.addCommand(power);
  },
};

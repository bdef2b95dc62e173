// The flags shutdown, restart, resume and rehearse share, declared apart from the session
// that runs them: a command's --help must not load the engine or the Kubernetes client.
import type { Command } from 'commander';
import type { RunFlags } from './env.js';

export interface SessionFlags extends RunFlags {
  dryRun?: boolean;
  only?: string;
  until?: string;
  output?: string;
}

/** The flags shutdown, restart and rehearse share. */
export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--power <file>', 'power inventory YAML (SSH / IPMI / Redfish per node); without it every node is powered by hand')
    .option('-y, --yes', 'answer yes to every confirmation (unattended)')
    .option('--dry-run', 'print every act without doing it')
    .option('--only <steps>', 'run only these step ids (comma-separated; see `fallow explain`)')
    .option('--until <step>', 'stop (resumably) after this step id')
    .option('--force-off', 'hard power-off guests that ignore ACPI and nodes that stay on')
    .option('--force-delete-stuck-pods', 'force-delete rancher pods stuck Terminating (seed 3.2)')
    .option('--accept-new-host-keys', 'trust SSH host keys not yet in known_hosts (a changed key is never accepted)')
    .option('--skip-bundles', 'do not generate the support bundles (seed 1.1, 5.6)')
    .option('--rancher-url <url>', 'Rancher Manager that manages this Harvester (downstream snapshots and checks)')
    .option('--rancher-token-file <file>', 'file holding the Rancher API token (never give the token itself)')
    .option('--rancher-token-env <var>', 'environment variable holding the Rancher API token (default FALLOW_RANCHER_TOKEN)')
    .option('--rancher-ca <file>', 'CA bundle of the Rancher Manager')
    .option('--rancher-insecure', 'do not verify the Rancher Manager TLS certificate')
    .option('--snapshot-downstream', 'take an etcd snapshot of every downstream cluster first (seed 2; needs --rancher-url)')
    .option('--skip-net-check', 'go on when a node network re-check fails after boot (seed 1.2)')
    .option('-o, --output <format>', 'progress format: text (default) or jsonl');
}

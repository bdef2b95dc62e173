// `fallow rbac`: the least-privilege RBAC a run needs, as manifests to `kubectl apply`.
// The rules are the ones the runbook steps declare (rbacByScope / rbacFor in
// src/runbook/rbac.ts), never listed here: a verb any step needs cluster-wide goes into
// the ClusterRole, one only needed in some namespaces into a Role there (so pods/exec is
// granted in kube-system only, not on every pod of the cluster).
// Flags and help only; the work is ../actions/rbac.ts, loaded when the command runs.
import { Command, Option } from 'commander';
import type { RbacFlags } from '../actions/rbac.js';
import type { CommandModule } from './index.js';

export const rbacCommand: CommandModule = {
  name: 'rbac',
  register(program, ctx) {
    const cmd = new Command('rbac')
      .summary('the least-privilege ClusterRole (and Roles) a run needs, as manifests')
      .description(
        'Prints the RBAC manifests fallow needs to plan, shut down, restart and verify a cluster, derived from the ' +
          'permissions every runbook step declares. Verbs any step needs cluster-wide go into a ClusterRole; verbs ' +
          'only needed in one namespace (exec into the etcd pods in kube-system, deleting stuck Rancher pods in ' +
          'cattle-system, support bundles in harvester-system) into a Role there. With --user or --service-account ' +
          'the bindings are included, ready for `kubectl apply -f -`. Needs no cluster.',
      )
      .option('--user <name>', 'bind the roles to this user')
      .option('--service-account <namespace/name>', 'create this service account and bind the roles to it')
      .option('--name <name>', 'name of the roles and bindings', 'fallow')
      .option('--cluster-wide', 'one ClusterRole with every rule instead of namespaced Roles where they suffice')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
      .action(async (opts: RbacFlags) => {
        const { rbacAction } = await import('../actions/rbac.js');
        rbacAction(ctx, opts);
      });
    program.addCommand(cmd);
  },
};

// The body of `fallow rehearse` (../commands/rehearse.ts declares its flags): loaded only
// when a rehearsal runs, with the twin, the runbooks, the engine and the Kubernetes client.
import { mkdtempSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { clusterIdentity } from '../../cluster/discovery.js';
import type { AuditFinding } from '../../twin/audit.js';
import { restartRunbook, shutdownRunbook } from '../../runbook/index.js';
import { defaultWaveSize } from '../../runbook/lib/vms.js';
import { ExitCode } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { buildRunbookEnv, liveAddresses } from '../run/env.js';
import { pairFor, reportFor, writeReport } from '../run/report.js';
import { formatDuration } from '../run/progress.js';
import { runSession, type SessionFlags } from '../run/session.js';

export interface RehearseFlags {
  scenario: string;
  scale: string;
  ssh: 'inprocess' | 'sshd';
  bmc: 'redfish' | 'ipmi';
  waveSize?: string;
  output?: string;
  dir?: string;
}

export async function rehearseAction(ctx: CliContext, c: Command, flags: RehearseFlags): Promise<void> {
  const g = ctx.globals(c);
  const [{ startTwin }, { startPowerFronts }, { auditRestart, auditRoles, auditShutdown }, { startRancherManager }, { TwinNodeNetwork }] = await Promise.all([
    import('../../twin/runtime.js'),
    import('../../twin/fronts/fronts.js'),
    import('../../twin/audit.js'),
    import('../../twin/rancher-manager/index.js'),
    import('../../twin/node-network/model.js'),
  ]);
  const dir = resolve(flags.dir ?? mkdtempSync(join(tmpdir(), 'fallow-rehearse-')));
  await mkdir(dir, { recursive: true });
  const out = (s: string) => void ctx.io.stdout.write(`${s}\n`);
  const col = ctx.colors(g);
  const twin = await startTwin({ scenarioPath: flags.scenario, scale: Number(flags.scale), stateDir: join(dir, 'twin') });
  ctx.io.env.FALLOW_CLOCK = twin.clock.toEnv(); // every deadline of this rehearsal runs on the twin's clock
  const nodes = twin.scenario.nodes.map((n) => ({ name: n.name }));
  // The nodes answer the network re-checks over SSH; a Rancher Manager manages the downstream clusters.
  const fronts = await startPowerFronts(twin.power, nodes, { dir: join(dir, 'power'), ssh: flags.ssh, bmc: flags.bmc, sshCommands: new TwinNodeNetwork(twin.api).handler });
  const rancher = await startRancherManager(twin, { dir: join(dir, 'rancher') });
  const g2: GlobalOptions = { ...g, kubeconfig: twin.kubeconfigPath, stateDir: join(dir, 'state') };
  delete g2.context;
  const vms = twin.scenario.vms.length;
  out(col.bold(`Rehearsal on the twin "${twin.scenario.metadata.name}": ${nodes.length} nodes, ${vms} VMs, modelled time ×${flags.scale}`));
  out(col.dim(`  kubeconfig ${twin.kubeconfigPath}\n  power inventory ${fronts.inventoryPath}\n  journals and report in ${dir}`));
  const conn = await ctx.connect(g2);
  try {
    const identity = await clusterIdentity(conn.cluster);
    const addresses = await liveAddresses(conn.cluster);
    const run: SessionFlags = {
      power: fronts.inventoryPath,
      yes: true,
      rancherUrl: rancher.url,
      rancherTokenFile: rancher.tokenFile,
      rancherCa: rancher.caFile,
      snapshotDownstream: true,
      // A real sshd's forced command powers the twin node off but cannot model its network.
      ...(flags.ssh === 'sshd' ? { skipNetCheck: true } : {}),
      ...(flags.output ? { output: flags.output } : {}),
    };
    const started = twin.clock.now();
    const initialLeader = twin.etcd.leader()?.node;
    const shutdown = await runSession(ctx, g2, run, {
      runbook: shutdownRunbook,
      identity: { uid: identity.uid, server: identity.server },
      makeEnv: (r, operator) => buildRunbookEnv({ cluster: conn.cluster, clock: ctx.clock, operator, flags: run, runDir: r.runDir, addresses }),
    });
    if (shutdown.state !== 'completed') return;
    const shutdownDone = twin.clock.now();
    const restartFlags: SessionFlags = { ...run, ...(flags.waveSize ? { waveSize: flags.waveSize } : {}) };
    const restart = await runSession(ctx, g2, restartFlags, {
      runbook: restartRunbook,
      identity: { uid: identity.uid, server: identity.server },
      parentRunId: shutdown.runId,
      makeEnv: (r, operator) => buildRunbookEnv({ cluster: conn.cluster, clock: ctx.clock, operator, flags: restartFlags, runDir: r.runDir, addresses }),
    });
    const ended = twin.clock.now();

    const roles = auditRoles(twin.scenario);
    const findings: AuditFinding[] = auditShutdown({ events: twin.events, ...roles, since: started, until: shutdownDone, ...(initialLeader ? { initialLeader } : {}) });
    const pair = pairFor(g2.stateDir!, identity.uid, shutdown.runId);
    const report = reportFor(pair, twin.scenario.metadata.name);
    const leader = (report.facts?.['etcd'] as { leader?: string } | undefined)?.leader;
    if (leader && restart.state === 'completed') {
      const wave = flags.waveSize ? Number(flags.waveSize) : defaultWaveSize(twin.scenario.nodes.filter((n) => n.role !== 'witness').length);
      findings.push(...auditRestart({ events: twin.events, ...roles, since: shutdownDone, leader, waveSize: wave }));
    }
    const files = writeReport(report, dir, ['html', 'md', 'json']);
    out('');
    out(col.bold('Order checked from the twin\'s event log'));
    for (const f of findings) out(`  ${f.ok ? col.green('✓') : col.red('✗')} ${f.rule} ${col.dim(`(${f.detail})`)}`);
    out('');
    out(col.bold(report.result.line));
    out(`Modelled time: shutdown ${formatDuration(shutdownDone - started)}, restart ${formatDuration(ended - shutdownDone)}`);
    out(`Report: ${files.join(', ')}`);
    if (!report.result.ok || findings.some((f) => !f.ok) || restart.state !== 'completed') ctx.exitCode = ExitCode.failed;
  } finally {
    conn.cluster.close();
    await fronts.stop();
    await rancher.stop();
    await twin.stop();
  }
}

// `fallow guard run`: the guard as a service. Reads the GuardConfig, the NUT password (and
// registers it with the journal's redact guard), finds the cluster (live, or from its
// journals when it is down), opens the guard journal next to the cluster's runs, keeps the
// shutdown estimate fresh, and runs the guard loop with the runbook actions until `signal`
// aborts. Returns where the guard stood; throws (before any action) on a bad config, wrong
// credentials, an unknown UPS, an unreachable upsd, or no cluster to guard.
import { UnreachableError, UsageError, formatError } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../../cli/context.js';
import { runsForServer } from '../../cli/run/find-runs.js';
import type { Connection } from '../../cluster/connect.js';
import { clusterIdentity } from '../../cluster/discovery.js';
import { loadKubeconfig } from '../../cluster/kubeconfig.js';
import { registerSecret } from '../../journal/secrets.js';
import { clusterDirOf } from '../../journal/paths.js';
import type { ClusterIdentity } from '../../journal/records.js';
import { OptionalShutdownSteps } from '../../runbook/estimate.js';
import type { GuardConfig } from '../config.js';
import { loadGuardConfig } from '../config.js';
import { loadCredentials, type NutCredentials } from '../credentials.js';
import { NutClient } from '../nut-client.js';
import { runGuard, type GuardActions, type GuardResult } from '../guard.js';
import type { GuardLogger } from '../monitor.js';
import { EstimateKeeper } from './estimate-keeper.js';
import { GuardJournal, guardJournalPath, phaseFromJournal, type GuardJournalContents } from './guard-journal.js';
import { guardOperator, lineLogger } from './operator.js';
import { RunbookActions } from './actions.js';

export interface GuardServiceOptions {
  /** The GuardConfig file. */
  config: string;
  /** Modelled ms between inventory re-reads while the cluster is up (default 15 min). */
  inventoryRefreshMs?: number;
}

export async function runGuardService(ctx: CliContext, g: GlobalOptions, o: GuardServiceOptions, signal: AbortSignal): Promise<GuardResult> {
  const cfg = await loadGuardConfig(o.config);
  checkSkips(cfg, o.config);
  const credentials = cfg.credentials ? await loadCredentials(cfg.credentials, ctx.io.env) : undefined;
  if (credentials) registerSecret(credentials.password.reveal(), `NUT password of ${credentials.username}`);
  const clock = ctx.clock;
  const logger = lineLogger(ctx.io.stdout, ctx.io.stderr, clock);
  // The UPS first: wrong credentials, an unknown UPS or no upsd stop the guard before it
  // touches the cluster or writes a record.
  const ups = new NutClient({ target: cfg.target, ...(credentials ? { credentials } : {}), clock, timeoutMs: cfg.timeoutMs });
  try {
    await ups.open(signal);
  } catch (err) {
    await ups.close();
    throw err;
  }
  let journal: GuardJournal | undefined;
  try {
    const root = ctx.stateRoot(g);
    const found = await clusterAtStart(ctx, g, root, logger);
    const opened = GuardJournal.open(guardJournalPath(clusterDirOf(root, found.identity.uid)), clock);
    journal = opened.journal;
    return await guard(ctx, g, { cfg, o, credentials, ups, found, root, logger, journal: opened.journal, earlier: opened.earlier }, signal);
  } finally {
    journal?.close();
    await ups.close();
  }
}

interface Started {
  cfg: GuardConfig;
  o: GuardServiceOptions;
  credentials: NutCredentials | undefined;
  ups: NutClient;
  found: { identity: ClusterIdentity; conn?: Connection };
  root: string;
  logger: GuardLogger;
  journal: GuardJournal;
  earlier: GuardJournalContents;
}

async function guard(ctx: CliContext, g: GlobalOptions, s: Started, signal: AbortSignal): Promise<GuardResult> {
  const { cfg, o, found, logger, journal, earlier } = s;
  const clock = ctx.clock;
  for (const p of earlier.problems) logger.warn({}, `guard journal: ${p}`);
  const keeper = new EstimateKeeper({ ctx, g, root: s.root, uid: found.identity.uid, config: cfg, journal, logger });
  const initialPhase = phaseFromJournal(earlier.records);
  if (initialPhase === 'down') keeper.markDown();
  await keeper.refresh(found.conn);
  found.conn?.cluster.close();
  const operator = guardOperator(logger, (message) => journal.append({ type: 'guard.operator', at: clock.now(), message }));
  const runbooks = new RunbookActions({ ctx, g, cluster: cfg.cluster, identity: found.identity, journal, earlier: earlier.records, logger, operator });
  // The estimate follows the cluster: not re-read while an action runs or the cluster is down.
  const actions: GuardActions = {
    shutdown: (plan, ctl) => keeper.during('shutdown', () => runbooks.shutdown(plan, ctl)),
    restart: (ctl) => keeper.during('restart', () => runbooks.restart(ctl)),
  };
  const fresh = new AbortController();
  const stopFresh = () => fresh.abort();
  signal.addEventListener('abort', stopFresh, { once: true });
  const refresher = keeper.keepFresh(o.inventoryRefreshMs ?? 15 * 60_000, fresh.signal);
  try {
    return await runGuard(
      {
        ups: cfg.target,
        ...(s.credentials ? { credentials: s.credentials } : {}),
        policy: cfg.policy,
        estimateShutdown: keeper.estimate,
        clock,
        pollIntervalMs: cfg.pollIntervalMs,
        actions,
        journalEvent: (e) => {
          journal.append(e);
        },
        logger,
        initialPhase,
        source: s.ups,
      },
      signal,
    );
  } finally {
    signal.removeEventListener('abort', stopFresh);
    fresh.abort();
    await refresher;
  }
}

/** budget.alwaysSkip may only name steps the guard can leave out. */
function checkSkips(cfg: GuardConfig, file: string): void {
  const allowed = Object.values(OptionalShutdownSteps) as string[];
  const bad = cfg.policy.budget.defaults.skipSteps.filter((id) => !allowed.includes(id));
  if (bad.length) throw new UsageError(`Guard config ${file}: budget.alwaysSkip: ${bad.join(', ')} cannot be skipped`, `Only these steps are optional: ${allowed.join(', ')}`);
}

/**
 * The cluster to guard: the kubeconfig's, asked live; when it does not answer (the guard
 * restarting while the cluster is down), the newest journal for the kubeconfig's server.
 */
async function clusterAtStart(ctx: CliContext, g: GlobalOptions, root: string, logger: GuardLogger): Promise<{ identity: ClusterIdentity; conn?: Connection }> {
  let conn: Connection | undefined;
  try {
    conn = await ctx.connect(g);
    const id = await clusterIdentity(conn.cluster);
    return { identity: { uid: id.uid, server: id.server }, conn };
  } catch (err) {
    conn?.cluster.close();
    if (!(err instanceof UnreachableError || isConnectionError(err))) throw err;
    const server = loadKubeconfig({ ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}), ...(g.context ? { context: g.context } : {}), env: ctx.io.env }).server;
    const last = runsForServer(root, server).filter((r) => r.cluster).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0)).at(-1);
    if (!last?.cluster) {
      throw new UnreachableError(`The cluster at ${server} does not answer (${formatError(err)}) and no journal under ${root} names it`, 'Start the guard while the cluster is up (it learns the cluster then), or point --state-dir at its journals');
    }
    logger.warn({}, `The cluster at ${server} does not answer (${formatError(err)}); guarding cluster ${last.cluster.uid} from its journal (run ${last.runId})`);
    return { identity: last.cluster };
  }
}

function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND)$/.test(code);
}

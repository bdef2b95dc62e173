// Finds and loads kubeconfig the way kubectl does, on @kubernetes/client-node's KubeConfig.
//
// Precedence: --kubeconfig (that one file, which must exist), else $KUBECONFIG (a
// path-list; missing files are skipped; merged first-wins: the first file to define a
// cluster/user/context name or current-context keeps it), else ~/.kube/config.
// client-node's own merge throws on duplicate names, which kubectl accepts, so the merge
// is done here. Every failure is a UsageError naming the file(s) and what to do.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig, type Cluster as KcCluster, type Context as KcContext, type User as KcUser } from '@kubernetes/client-node';
import { UsageError } from '../common/errors.js';

export interface KubeconfigOptions {
  /** --kubeconfig: a single file. */
  kubeconfig?: string;
  /** --context: overrides current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** The files that were read, in precedence order. */
  files: string[];
  context: string;
  /** The kubeconfig's name for the cluster of that context. */
  clusterName: string;
  server: string;
}

export function kubeconfigFiles(opts: KubeconfigOptions): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) {
    const file = path.resolve(opts.kubeconfig);
    if (!existsSync(file)) {
      throw new UsageError(`kubeconfig file not found: ${file}`, 'Pass an existing file with --kubeconfig');
    }
    return [file];
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(path.delimiter).filter((f) => f.length > 0);
    const present = listed.filter((f) => existsSync(f)).map((f) => path.resolve(f));
    if (present.length === 0) {
      throw new UsageError(
        `no kubeconfig found: none of the files in KUBECONFIG exist (${listed.join(path.delimiter)})`,
        'Fix KUBECONFIG or pass --kubeconfig <file>',
      );
    }
    return present;
  }
  const home = env.HOME ?? homedir();
  const dflt = path.join(home, '.kube', 'config');
  if (!existsSync(dflt)) {
    throw new UsageError(
      `no kubeconfig found: KUBECONFIG is not set and ${dflt} does not exist`,
      'Pass --kubeconfig <file> or set KUBECONFIG to the Harvester cluster\'s kubeconfig',
    );
  }
  return [dflt];
}

function readOne(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    // Parser messages can quote the offending line, which may hold a token: keep only the first line's gist.
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '').slice(0, 160) : 'unreadable';
    throw new UsageError(`kubeconfig ${file} is not valid: ${reason}`, 'Fix the file or pass another with --kubeconfig', { cause: err });
  }
  return kc;
}

function firstWins<T extends { name: string }>(into: T[], from: readonly T[] | undefined): void {
  for (const item of from ?? []) if (!into.some((x) => x.name === item.name)) into.push(item);
}

/** Merges several kubeconfig files as kubectl does; relative paths resolve against each file's dir. */
export function mergeKubeconfigs(files: string[]): KubeConfig {
  const clusters: KcCluster[] = [];
  const users: KcUser[] = [];
  const contexts: KcContext[] = [];
  let currentContext = '';
  for (const file of files) {
    const kc = readOne(file);
    firstWins(clusters, kc.clusters);
    firstWins(users, kc.users);
    firstWins(contexts, kc.contexts);
    if (!currentContext && kc.currentContext) currentContext = kc.currentContext;
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters, users, contexts, currentContext });
  return merged;
}

export function loadKubeconfig(opts: KubeconfigOptions = {}): LoadedKubeconfig {
  const files = kubeconfigFiles(opts);
  const kc = mergeKubeconfigs(files);
  const where = files.length === 1 ? files[0] : `${files.join(path.delimiter)} (merged)`;
  const known = kc.contexts.map((c) => c.name);
  const knownText = known.length > 0 ? `Known contexts: ${known.join(', ')}` : 'The kubeconfig defines no contexts';
  const context = opts.context ?? kc.currentContext;
  if (!context) {
    throw new UsageError(`kubeconfig ${where} has no current-context`, `Pass --context <name>. ${knownText}`);
  }
  const ctx = kc.getContextObject(context);
  if (!ctx) {
    throw new UsageError(`context "${context}" not found in kubeconfig ${where}`, `${knownText}; pass one with --context`);
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) {
    throw new UsageError(`context "${context}" names cluster "${ctx.cluster}", which kubeconfig ${where} does not define`, 'Fix the kubeconfig');
  }
  if (!cluster.server) {
    throw new UsageError(`cluster "${cluster.name}" in kubeconfig ${where} has no server URL`, 'Fix the kubeconfig');
  }
  if (!kc.getUser(ctx.user)) {
    throw new UsageError(`context "${context}" names user "${ctx.user}", which kubeconfig ${where} does not define`, 'Fix the kubeconfig');
  }
  return { kc, files, context, clusterName: cluster.name, server: cluster.server.replace(/\/+$/, '') };
}

// `fallow twin up`: a twin in the foreground for hands-on use — its API server, controllers
// and node power fronts (SSH + Redfish on loopback) — printing what a shell needs to point
// fallow or kubectl at it, until SIGINT/SIGTERM. The CLI command only parses flags and calls
// twinUp.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPowerFronts, type PowerFronts } from './fronts/fronts.js';
import { startTwin, type Twin } from './runtime.js';

export interface TwinUpOptions {
  scenarioPath?: string;
  scale?: number;
  stateDir?: string;
  /** Where lines go (default stdout). */
  print?: (line: string) => void;
  /** Resolves when the twin should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Start the SSH/BMC fronts and write a power inventory (default true). */
  powerFronts?: boolean;
}

export interface TwinUpInfo {
  kubeconfigPath: string;
  fallowClock: string;
  inventoryPath?: string;
  envFile: string;
}

/** Runs a twin until `until` resolves; returns what was printed, for tests. */
export async function twinUp(o: TwinUpOptions = {}): Promise<TwinUpInfo> {
  const print = o.print ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const dir = resolve(o.stateDir ?? (await mkdtemp(join(tmpdir(), 'fallow-twin-'))));
  const twin: Twin = await startTwin({ scenarioPath: o.scenarioPath ?? 'default', scale: o.scale ?? 200, stateDir: dir });
  let fronts: PowerFronts | undefined;
  try {
    if (o.powerFronts !== false) {
      fronts = await startPowerFronts(twin.power, twin.scenario.nodes.map((n) => ({ name: n.name })), { dir: join(dir, 'power') });
    }
    const info: TwinUpInfo = {
      kubeconfigPath: twin.kubeconfigPath,
      fallowClock: twin.clock.toEnv(),
      ...(fronts ? { inventoryPath: fronts.inventoryPath } : {}),
      envFile: join(dir, 'env'),
    };
    const env = [`export KUBECONFIG=${info.kubeconfigPath}`, `export FALLOW_CLOCK=${info.fallowClock}`, ...(fronts ? [`# power the nodes with: fallow shutdown --power ${fronts.inventoryPath}`] : [])];
    await writeFile(info.envFile, env.join('\n') + '\n', { mode: 0o600 });
    const s = twin.scenario;
    print(`twin "${s.metadata.name}" is up: ${s.nodes.length} nodes, ${s.vms.length} VMs, modelled time ×${twin.clock.scale}`);
    print(`  API        ${twin.url}`);
    print(`  kubeconfig ${info.kubeconfigPath}`);
    if (fronts) print(`  power      ${fronts.inventoryPath}   (fallow … --power <this file>)`);
    print(`  FALLOW_CLOCK=${info.fallowClock}`);
    print(`in another shell: source ${info.envFile}   (Ctrl-C here stops the twin)`);
    await (o.until ?? signalled());
    print('stopping the twin');
    return info;
  } finally {
    await fronts?.stop();
    await twin.stop();
  }
}

function signalled(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(sig);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

// A twin power model whose nodes are reached through real peers: one OpenSSH sshd and one
// ipmi_sim per node (started by startPowerFronts), and PowerControllers over them.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ScaledClock } from '../../../src/common/clock.js';
import { PowerController } from '../../../src/power/controller.js';
import type { PowerLog } from '../../../src/power/driver.js';
import { inventoryToYaml, loadInventory, type PowerInventoryDoc } from '../../../src/power/inventory.js';
import type { OperatorConsole } from '../../../src/power/manual.js';
import { startPowerFronts, type PowerFronts } from '../../../src/twin/fronts/fronts.js';
import { ScriptedOperator } from '../../power/helpers/operator.js';
import { TestNodePower } from '../../power/helpers/twin-power.js';

/** Slow enough that wall-time costs of real processes (ipmitool, sshd) stay small. */
export const clock = new ScaledClock(5);

export interface RealRig {
  power: TestNodePower;
  fronts: PowerFronts;
  dir: string;
  log: string[];
  controller(o?: { inventoryPath?: string; operator?: OperatorConsole; acceptNewHostKeys?: boolean }): Promise<PowerController>;
  /** Writes a changed copy of the fronts' inventory and returns its path. */
  variant(name: string, change: (doc: PowerInventoryDoc) => void): Promise<string>;
  deadline(seconds: number): number;
  stop(): Promise<void>;
}

export async function realRig(names: string[], firstAddress: number): Promise<RealRig> {
  const power = new TestNodePower(names, clock, { shutdownMs: 10_000, bootMs: 15_000 });
  const dir = await mkdtemp(join(tmpdir(), 'fallow-peers-power-'));
  const fronts = await startPowerFronts(
    power,
    names.map((name, i) => ({ name, address: `127.0.1.${firstAddress + i}` })),
    { dir, ssh: 'sshd', bmc: 'ipmi' },
  );
  const log: string[] = [];
  const sink: PowerLog = (e) => log.push(`${e.node} ${e.driver}: ${e.message}`);
  const controllers: PowerController[] = [];
  return {
    power,
    fronts,
    dir,
    log,
    async controller(o = {}) {
      const inventory = await loadInventory(o.inventoryPath ?? fronts.inventoryPath);
      const ctl = new PowerController({
        inventory,
        clock,
        nodeReady: (n) => Promise.resolve(power.state(n) === 'on'),
        console: o.operator ?? new ScriptedOperator(false, true),
        acceptNewHostKeys: o.acceptNewHostKeys === true,
        pollMs: 2000,
        probeTimeoutMs: 1000,
        // Loopback answers at once or never: one short attempt tells an absent BMC quickly.
        ipmi: { timeoutSec: 1, retries: 1 },
        log: sink,
      });
      controllers.push(ctl);
      return ctl;
    },
    async variant(name, change) {
      const doc = parseYaml(await readFile(fronts.inventoryPath, 'utf8')) as PowerInventoryDoc;
      change(doc);
      const path = join(dir, `${name}.yaml`);
      await writeFile(path, inventoryToYaml(doc), { mode: 0o600 });
      return path;
    },
    deadline: (seconds) => clock.now() + seconds * 1000,
    async stop() {
      for (const c of controllers) await c.close();
      power.dispose();
      await fronts.stop();
    },
  };
}

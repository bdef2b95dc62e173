// kill -9 anywhere, then `fallow resume`: the real CLI in child processes against one twin,
// SIGKILLed at every step boundary and inside every act of the shutdown and the restart
// (each process dies at the first point not yet killed at; the next one resumes). The end
// state must be an uninterrupted run's, and no act the twin saw may have been repeated.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPowerFronts, type PowerFronts } from '../../src/twin/fronts/fronts.js';
import { startTwin, type Twin } from '../../src/twin/runtime.js';
import { TwinNodeNetwork } from '../../src/twin/node-network/model.js';
import { repoRoot } from '../helpers/cli.js';
import { bundleCli } from '../helpers/bundle-cli.js';
import { listRuns } from '../../src/journal/runs.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';

interface Life {
  code: number | null;
  killedAt?: string;
  stderr: string;
}

/** Runs the CLI with -o jsonl; SIGKILLs it at the first kill point not in `done`. */
let cli = '';

function lifeOf(args: string[], env: Record<string, string>, done: Set<string>): Promise<Life> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, '-o', 'jsonl'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let stderr = '';
    let killedAt: string | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (killedAt) continue;
        let e: { type?: string; step?: string; attempt?: number; runbook?: string };
        try {
          e = JSON.parse(line);
        } catch {
          continue;
        }
        // Step boundaries, and inside acts (a few ms in, so the act is under way).
        const point = e.type === 'step-start' || e.type === 'step-done' ? `${e.type}:${e.step}` : e.type === 'act' ? `act:${e.step}` : undefined;
        if (!point || done.has(point)) continue;
        done.add(point);
        killedAt = point;
        setTimeout(() => child.kill('SIGKILL'), e.type === 'act' ? 15 : 0);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ...(killedAt ? { killedAt } : {}) });
    });
  });
}

describe('SIGKILL at every step boundary and inside every act, then resume', () => {
  let twin: Twin;
  let fronts: PowerFronts;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    cli = await bundleCli();
    dir = mkdtempSync(join(tmpdir(), 'fallow-crash-'));
    twin = await startTwin({ scenarioPath: 'default', scale: 100, stateDir: join(dir, 'twin') });
    // The nodes answer the restart's network re-checks over SSH, as on a real node.
    fronts = await startPowerFronts(twin.power, twin.scenario.nodes.map((n) => ({ name: n.name })), { dir: join(dir, 'power'), sshCommands: new TwinNodeNetwork(twin.api).handler });
    env = { HOME: dir, KUBECONFIG: twin.kubeconfigPath, FALLOW_CLOCK: twin.clock.toEnv(), FALLOW_STATE_DIR: join(dir, 'state') };
  }, 120_000);
  afterAll(async () => {
    await fronts?.stop();
    await twin?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storm(first: string[], label: string): Promise<string[]> {
    const done = new Set<string>();
    const kills: string[] = [];
    let life: Life = await lifeOf(first, env, done);
    for (let i = 0; life.killedAt && i < 80; i++) {
      kills.push(life.killedAt);
      life = await lifeOf(['resume', '--yes', '--power', fronts.inventoryPath], env, done);
    }
    // The last kill may land after the run's end was journaled: nothing left to resume then.
    const mine = listRuns(env.FALLOW_STATE_DIR!, twin.clusterUid).filter((r) => r.runbook === label);
    if (life.code !== 0 && mine.every((r) => r.state === 'completed')) life = { ...life, code: 0 };
    expect(life.stderr, `${label}: the last resume should finish`).not.toMatch(/internal error/);
    expect(life.code, `${label} ended after kills at ${kills.join(' ')}: ${life.stderr}`).toBe(0);
    return kills;
  }

  it('shutdown: every node off, each destructive act once', async () => {
    const kills = await storm(['shutdown', '--yes', '--power', fronts.inventoryPath], 'shutdown');
    expect(kills.length).toBeGreaterThan(20);
    for (const n of twin.power.nodes()) expect(twin.power.state(n)).toBe('off');
    const ev = twin.events.all();
    // Each node was asked to shut down once; rancher was scaled to 0 once; each addon disabled once.
    for (const n of twin.power.nodes()) expect(ev.filter((e) => e.type === 'node.power' && e.node === n && e.detail === 'shutting-down')).toHaveLength(1);
    expect(ev.filter((e) => e.type === 'deployment.scaled' && e.object === 'cattle-system/rancher' && (e.data as { to?: number })?.to === 0 && e.by === 'client')).toHaveLength(1);
    const disabling = ev.filter((e) => e.type === 'addon.status' && e.detail === 'AddonDisabling');
    expect(new Set(disabling.map((e) => e.object)).size).toBe(disabling.length);
    expect(ev.filter((e) => e.type === 'rancher.vm-restarted')).toHaveLength(0);
  }, 900_000);

  it('restart: verification finds zero differences', async () => {
    const kills = await storm(['restart', '--yes', '--power', fronts.inventoryPath], 'restart');
    expect(kills.length).toBeGreaterThan(15);
    for (const n of twin.power.nodes()) expect(twin.power.state(n)).toBe('on');
    const runs = listRuns(env.FALLOW_STATE_DIR!, twin.clusterUid);
    const restart = runs.find((r) => r.runbook === 'restart' && r.state === 'completed');
    expect(restart).toBeDefined();
    const facts = replay(readJournal(join(restart!.runDir, 'journal.jsonl')).records).facts;
    expect((facts.get('verification') as { summary: { errors: number } }).summary.errors).toBe(0);
  }, 900_000);
});

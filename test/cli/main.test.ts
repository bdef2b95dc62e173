// The CLI in-process: help and exit-code table, the kubectl-plugin name, usage errors,
// shell completion, and `status`/`resume` reading journals the engine wrote.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../src/common/clock.js';
import { ExitCode } from '../../src/common/errors.js';
import { main } from '../../src/cli/main.js';
import { runToResume } from '../../src/cli/run/resume.js';
import type { StatusData } from '../../src/cli/actions/status.js';
import { runRunbook } from '../../src/engine/run.js';
import type { Runbook } from '../../src/engine/types.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out = { text: '' };
  const err = { text: '' };
  return {
    out,
    err,
    io: { stdout: { write: (s: string) => (out.text += s) }, stderr: { write: (s: string) => (err.text += s) }, env: { HOME: mkdtempSync(join(tmpdir(), 'fallow-h-')), ...env } },
  };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}, asKubectlPlugin = false) {
  const t = io(env);
  const code = await main(['node', 'fallow', ...args], { io: t.io, asKubectlPlugin });
  return { code, stdout: t.out.text, stderr: t.err.text };
}

describe('fallow CLI', () => {
  it('--help lists the commands and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^Usage: fallow \[options\] \[command\]/);
    for (const c of ['plan', 'status', 'resume', 'completion']) expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    expect(r.stdout).toMatch(/Exit codes:\n\s+0\s+success[\s\S]*3\s+preflight failed[\s\S]*130\s+interrupted/);
  });

  it('as a kubectl plugin it calls itself "kubectl fallow"', async () => {
    const r = await run(['--help'], {}, true);
    expect(r.stdout).toMatch(/^Usage: kubectl fallow /);
    const bad = await run(['nope'], {}, true);
    expect(bad.stderr).toMatch(/^kubectl fallow: unknown command 'nope'/);
  });

  it.each([
    [['nope'], /^fallow: unknown command 'nope'/],
    [['plan', '--bogus'], /^fallow: unknown option '--bogus'/],
    [['--qps', 'fast', 'status', '--all'], null],
    [['completion', 'tcsh'], /^fallow: unknown shell "tcsh": use bash, zsh or fish/],
  ])('%j is a usage error', async (args, msg) => {
    const r = await run(args as string[]);
    if (msg) {
      expect(r.code).toBe(ExitCode.usage);
      expect(r.stderr).toMatch(msg);
    } else expect(r.code).toBe(ExitCode.ok); // --qps is only checked when connecting
  });

  it.each(['bash', 'zsh', 'fish'])('completion %s covers the commands and -o choices', async (shell) => {
    const r = await run(['completion', shell]);
    expect(r.code).toBe(ExitCode.ok);
    for (const c of ['plan', 'status', 'resume']) expect(r.stdout).toContain(c);
    expect(r.stdout).toMatch(shell === 'fish' ? /__fish_seen_subcommand_from plan' -s o -l output -xa 'table json yaml'/ : /"plan\|-o"\|"plan\|--output"\) COMPREPLY=\(\$\(compgen -W "table json yaml"/);
    expect(r.stdout).toContain(shell === 'fish' ? '-l kubeconfig -rF' : '--kubeconfig');
  });
});

describe('fallow status and resume', () => {
  const identity = { uid: 'uid-0001', server: 'https://127.0.0.1:6443' };
  const kubeconfig = (dir: string) => {
    const f = join(dir, 'kc');
    writeFileSync(f, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${identity.server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    return f;
  };
  const runbook = (failAt?: string): Runbook<null> => ({
    name: 'shutdown',
    steps: ['one', 'two', 'three'].map((id) => ({
      id: `t.${id}`,
      title: `Step ${id}`,
      seed: '1.1',
      phase: 'Test',
      destructive: false,
      check: async () => ({ done: false }),
      act: async (ctx) => {
        await ctx.record(`fact.${id}`, id);
        if (id === failAt) throw new Error(`step ${id} broke`);
      },
    })),
  });

  it('shows the runs of the kubeconfig\'s server and the newest in detail', async () => {
    const state = mkdtempSync(join(tmpdir(), 'fallow-state-'));
    const done = await runRunbook({ runbook: runbook(), env: null, clock: new RealClock(), identity, stateDir: state });
    expect(done.state).toBe('completed');
    const stopped = await runRunbook({ runbook: runbook('two'), env: null, clock: new RealClock(), identity, stateDir: state });
    expect(stopped.state).toBe('stopped');
    const kc = kubeconfig(state);

    const json = await run(['status', '-o', 'json', '--state-dir', state, '--kubeconfig', kc]);
    expect(json.code).toBe(ExitCode.ok);
    const data = JSON.parse(json.stdout) as StatusData;
    expect(data.runs.map((r) => r.state)).toEqual(['completed', 'stopped']);
    expect(data.run?.runId).toBe(stopped.runId);
    expect(data.run?.steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending']);
    expect(data.run?.facts).toMatchObject({ 'fact.one': 'one', 'fact.two': 'two' });

    const table = await run(['status', '--state-dir', state, '--kubeconfig', kc]);
    expect(table.stdout).toMatch(/t\.two\s+failed\s+step two broke/);
    expect(table.stdout).toContain(`next: fallow resume ${stopped.runId}`);

    const one = await run(['status', done.runId, '-o', 'yaml', '--state-dir', state]);
    expect(one.stdout).toMatch(/state: completed/);

    // resume picks the stopped run, not the completed one; a completed run is refused by id.
    expect(runToResume(state, identity.server, undefined).runId).toBe(stopped.runId);
    expect(() => runToResume(state, identity.server, done.runId)).toThrow(/has already completed/);
    expect(() => runToResume(state, 'https://127.0.0.1:1', undefined)).toThrow(/no stopped or interrupted run for https:\/\/127\.0\.0\.1:1/);
  });

  it('says so when there is nothing', async () => {
    const state = mkdtempSync(join(tmpdir(), 'fallow-state-'));
    const r = await run(['status', '--state-dir', state, '--kubeconfig', kubeconfig(state)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toBe(`No fallow runs for ${identity.server} under ${state}.\n`);
    const unknown = await run(['status', 'run-x', '--state-dir', state]);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toMatch(/^fallow: no run run-x under /);
  });
});

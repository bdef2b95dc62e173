// `fallow explain`: the runbook as the operator reads it, generated from the step tables;
// docs/runbook.md is the `-o md` output and must not drift from the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ExitCode } from '../../src/common/errors.js';
import { type ExplainData, selectSteps, wrap } from '../../src/cli/actions/explain.js';
import { explainRunbooks, ruleText } from '../../src/runbook/explain.js';
import { restartRunbook, shutdownRunbook } from '../../src/runbook/index.js';
import { repoRoot } from '../helpers/cli.js';
import { runMain } from './run-main.js';

const all = explainRunbooks();

describe('docs/runbook.md', () => {
  it('is what `fallow explain -o md` prints today', async () => {
    const r = await runMain(['explain', '-o', 'md']);
    expect(r.code).toBe(ExitCode.ok);
    const checkedIn = readFileSync(join(repoRoot, 'docs/runbook.md'), 'utf8');
    expect(checkedIn, 'docs/runbook.md is stale: run `fallow explain -o md > docs/runbook.md` (from a checkout: `npm run --silent fallow -- explain -o md > docs/runbook.md`)').toBe(r.stdout);
  });

  it('names every step of both runbooks, in runbook order, with its seed section', async () => {
    const md = (await runMain(['explain', '-o', 'md'])).stdout;
    for (const rb of [shutdownRunbook, restartRunbook]) {
      const positions = rb.steps.map((s) => md.indexOf(`\`${s.id}\``));
      expect(positions.every((p) => p > 0), `${rb.name}: a step is missing`).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      rb.steps.forEach((s, i) => expect(md).toContain(`### ${i + 1}. ${s.title} — seed ${s.seed}`));
    }
  });
});

describe('fallow explain', () => {
  it('prints every step with what it records, waits for and what can go wrong', async () => {
    const r = await runMain(['explain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^fallow shutdown: \d+ steps$/m);
    expect(r.stdout).toMatch(/^fallow restart: \d+ steps$/m);
    const workers = all.find((s) => s.id === 'shutdown.workers')!;
    const block = r.stdout.slice(r.stdout.indexOf(workers.title));
    expect(block).toMatch(new RegExp(`^ +shutdown\\.workers · ${workers.phase} · destructive: asks unless --yes$`, 'm'));
    expect(block).toMatch(/^ +records +nodes\.workers-off$/m);
    expect(block).toMatch(/^ +waits for +every worker powered off/m);
    expect(block).toMatch(/^ +can go wrong +a node that stays on/m);
    // Permissions only when a step is asked about: the full list stays readable.
    expect(r.stdout).not.toMatch(/^ +needs /m);
  });

  it('explains one step by id, with the permissions it declares', async () => {
    const step = all.find((s) => s.id === 'shutdown.etcd-followers')!;
    const r = await runMain(['explain', 'shutdown.etcd-followers']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^fallow shutdown: 1 of \d+ steps$/m);
    expect(r.stdout).toContain(step.title);
    expect(step.rbac.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(new RegExp(`^ +needs +${ruleText(step.rbac[0]!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(r.stdout.match(/^ {2}\s*\d+\. /gm)).toHaveLength(1);
  });

  it.each([
    ['shutdown.workers', ['shutdown.workers']],
    ['workers', ['shutdown.workers']],
    ['support-bundle', ['shutdown.support-bundle', 'restart.support-bundle']],
    ['restart', restartRunbook.steps.map((s) => s.id)],
    ['4', all.filter((s) => s.seed.startsWith('4.')).map((s) => s.id)],
    ['3.2', all.filter((s) => s.seed === '3.2').map((s) => s.id)],
    ['Shutdown.Workers', ['shutdown.workers']],
  ])('selects %s', (query, ids) => {
    expect(ids.length).toBeGreaterThan(0);
    expect(selectSteps(all, query).map((s) => s.id)).toEqual(ids);
  });

  it('refuses an unknown step with exit 2, naming it and the steps it resembles', async () => {
    const r = await runMain(['explain', 'etcd']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fallow: no step "etcd" in the shutdown or restart runbook\. Did you mean .*shutdown\.etcd-leader, /);
    const none = await runMain(['explain', 'no-such-thing']);
    expect(none.code).toBe(ExitCode.usage);
    expect(none.stderr).toContain('Run `fallow explain` for every step');
  });

  it('json and yaml carry the same data, every step once', async () => {
    const j = JSON.parse((await runMain(['explain', '-o', 'json'])).stdout) as ExplainData;
    const y = parseYaml((await runMain(['explain', '-o', 'yaml'])).stdout) as ExplainData;
    expect(y).toEqual(j);
    expect(j.kind).toBe('Runbook');
    expect(j.steps.map((s) => s.id)).toEqual([...shutdownRunbook.steps, ...restartRunbook.steps].map((s) => s.id));
    expect(j.steps.filter((s) => s.runbook === 'restart').map((s) => s.order)).toEqual(restartRunbook.steps.map((_s, i) => i + 1));
  });
});

describe('wrap', () => {
  it('keeps every word, in order, and no line longer than the width unless one word is', () => {
    const word = fc.stringMatching(/^[a-z]{1,30}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), fc.integer({ min: 20, max: 120 }), fc.integer({ min: 0, max: 19 }), (words, width, indent) => {
        const lines = wrap(words.join(' '), width, indent).split('\n');
        expect(lines.join(' ').split(/\s+/).filter(Boolean)).toEqual(words);
        lines.forEach((l, i) => {
          const len = (i === 0 ? indent : 0) + l.length;
          if (len > width) expect(l.trim().split(' ')).toHaveLength(1);
          if (i > 0) expect(l.startsWith(' '.repeat(indent))).toBe(true);
        });
      }),
    );
  });
});

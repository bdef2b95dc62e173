// No secret reaches any artifact of a run: journal, events, results.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/journal/secrets.js';
import type { Runbook } from '../../src/engine/types.js';
import type { TestEnv } from './fixtures/test-runbook.js';
import { Harness } from './helpers/harness.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();
const SECRET = 'ipmi-Pa55word-of-harv41';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function leaky(where: 'fact' | 'error' | 'warning' | 'progress'): Runbook<TestEnv> {
  return {
    name: 'test',
    steps: [
      {
        id: 'power',
        title: 'Power off',
        seed: '4.1',
        phase: 'p',
        destructive: false,
        check: async () => ({ done: false }),
        async act(ctx) {
          ctx.progress(`logging in with ${SECRET}`);
          if (where === 'fact') await ctx.record('bmc', { user: 'admin', password: SECRET });
          if (where === 'warning') await ctx.warn(`BMC refused password ${SECRET}`);
          if (where === 'error') throw new Error(`ipmitool -P ${SECRET} failed`);
        },
      },
    ],
  };
}

describe('secrets never reach run artifacts', () => {
  it.each(['fact', 'error', 'warning', 'progress'] as const)('a secret in a %s', async (where) => {
    const dir = tmp();
    const h = new Harness(dir);
    const secrets = new SecretRegistry();
    secrets.register(SECRET, 'IPMI password of harv41');
    const result = await h.run({}, leaky(where), { secrets });
    if (where === 'fact') expect(result.message).toMatch(/^Refused to write IPMI password of harv41 to the journal \(fact "bmc"\)/);
    const artifacts = [...filesUnder(h.state).map((f) => readFileSync(f, 'utf8')), JSON.stringify(h.events), JSON.stringify({ ...result, error: String(result.error) })];
    for (const text of artifacts) expect(text).not.toContain(SECRET);
    expect(JSON.stringify(h.events)).toContain('[redacted]');
  });
});

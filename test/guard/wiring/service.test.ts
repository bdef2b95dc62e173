// `fallow guard run` refusing to start: what it checks before it touches the UPS or the
// cluster (the whole service runs against a real upsd in test/peers/guard/outage.test.ts).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/common/errors.js';
import { runMain } from '../../cli/run-main.js';

const dir = mkdtempSync(join(tmpdir(), 'fallow-guard-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(body: string): string {
  const f = join(dir, `g${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(f, `schemaVersion: 1\nkind: GuardConfig\nups: ups1@127.0.0.1:1\n${body}`);
  return f;
}
const run = (cfg: string) => runMain(['guard', 'run', '--config', cfg, '--state-dir', join(dir, 'state'), '--kubeconfig', join(dir, 'none')], { HOME: dir });

describe('guard run refuses to start', () => {
  it.each([
    ['a step that cannot be skipped', 'budget:\n  alwaysSkip: [shutdown.workers]\n', /budget\.alwaysSkip: shutdown\.workers cannot be skipped.*shutdown\.support-bundle, shutdown\.backup-vms/],
    ['an unreadable password file', 'user: monuser\npasswordFile: /nonexistent/pw\n', /Cannot read the NUT password file \/nonexistent\/pw \(ENOENT\)/],
    ['a password variable that is not set', 'user: monuser\npasswordEnv: FALLOW_TEST_UNSET_PW\n', /NUT password variable FALLOW_TEST_UNSET_PW is not set/],
    ['a password too short to keep out of logs', 'user: monuser\npasswordEnv: PW\n', /shorter than 4 characters/],
  ])('%s: exit 2', async (_what, body, message) => {
    const r = await runMain(['guard', 'run', '--config', config(body), '--state-dir', join(dir, 'state')], { HOME: dir, PW: 'abc' });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(message);
  });

  it('no upsd: exit 4, nothing written', async () => {
    const r = await run(config(''));
    expect(r.code).toBe(ExitCode.unreachable);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});

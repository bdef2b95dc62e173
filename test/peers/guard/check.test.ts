// `fallow guard check` through the real CLI entry against a real upsd: a good config prints
// what the UPS reports; a wrong password exits 2; an unreachable upsd exits 4.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { freePort, startUpsd, upsPassword, upsUser, type Upsd } from './upsd.js';

let upsd: Upsd;
beforeAll(async () => {
  upsd = await startUpsd();
});
afterAll(async () => {
  await upsd?.close();
});

async function fallow(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'fallow', ...args], {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env },
  });
  return { code, stdout, stderr };
}

async function config(name: string, body: string): Promise<string> {
  const file = join(upsd.dir, name);
  await writeFile(file, `schemaVersion: 1\nkind: GuardConfig\n${body}`);
  return file;
}

describe('fallow guard check', () => {
  it('prints the UPS as the guard sees it', async () => {
    const file = await config('ok.yaml', `ups: ${upsd.target}\nuser: ${upsUser}\npasswordFile: password\n`);
    const r = await fallow(['guard', 'check', '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^UPS +${upsd.target.replace(/\./g, '\\.')}$`, 'm'));
    expect(r.stdout).toMatch(/^login +monuser \(LOGIN accepted\)$/m);
    expect(r.stdout).toMatch(/^status +OL \(online\)$/m);
    expect(r.stdout).toMatch(/^runtime +3600 s$/m);
    expect(r.stdout).toMatch(/^charge +100 %$/m);
    expect(r.stdout).not.toMatch(/warning/);
    const j = await fallow(['guard', 'check', '--config', file, '-o', 'json'], {});
    expect(JSON.parse(j.stdout)).toMatchObject({ power: 'online', runtimeS: 3600, chargePct: 100, warnings: [] });
  });

  it('reads the password from the environment', async () => {
    const file = await config('env.yaml', `ups: ${upsd.target}\nuser: ${upsUser}\npasswordEnv: GUARD_PW\n`);
    const r = await fallow(['guard', 'check', '--config', file], { GUARD_PW: upsPassword });
    expect(r.code).toBe(0);
  });

  it('a wrong password exits 2 with one clear line and no password in it', async () => {
    const file = await config('bad.yaml', `ups: ${upsd.target}\nuser: ${upsUser}\npasswordEnv: GUARD_PW\n`);
    const r = await fallow(['guard', 'check', '--config', file], { GUARD_PW: 'wrong-password' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fallow: UPS server refused the user name or password for ups1@127\.0\.0\.1:\d+\. Check the user in upsd\.users/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('wrong-password');
  });

  it('an unreachable upsd exits 4', async () => {
    const port = await freePort();
    const file = await config('down.yaml', `ups: ups1@127.0.0.1:${port}\nuser: ${upsUser}\npasswordFile: password\n`);
    const r = await fallow(['guard', 'check', '--config', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/unreachable: cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('a bad config exits 2 naming the field', async () => {
    const file = await config('field.yaml', `ups: ${upsd.target}\nuser: ${upsUser}\n`);
    const r = await fallow(['guard', 'check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/field\.yaml: passwordFile: give exactly one of passwordFile or passwordEnv/);
  });
});

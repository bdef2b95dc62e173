// The whole cycle through the protocols the hardware speaks: nodes shut down over a real
// OpenSSH sshd (the seed's `sudo -i shutdown`) and powered on through a real ipmi_sim with
// ipmitool — `fallow rehearse --ssh sshd --bmc ipmi`, read as a person reads its output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

it('shuts down through OpenSSH and restarts through IPMI with zero differences', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fallow-peers-rehearse-'));
  try {
    const r = await runCli(['rehearse', '--ssh', 'sshd', '--bmc', 'ipmi', '--dir', join(dir, 'run')], { HOME: dir }, { timeoutMs: 600_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ the etcd leader went down last/);
    expect(r.stdout).toMatch(/✓ the last etcd leader powered on first/);
    expect(r.stdout).toMatch(/Verification: 0 differences/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);

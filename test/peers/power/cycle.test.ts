// The whole power cycle through real peers: every node of a small twin shut down over a
// real OpenSSH sshd (ForceCommand → twin), seen off by a real ipmi_sim through ipmitool,
// powered on through ipmitool and seen booted (its sshd answers again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpPortOpen } from '../../../src/power/probe.js';
import { realRig, type RealRig } from './rig.js';

const NODES = ['harv41', 'harv42', 'harv43'];
let rig: RealRig;

beforeAll(async () => {
  rig = await realRig(NODES, 41);
});
afterAll(async () => {
  await rig?.stop();
});

describe('power through sshd and ipmi_sim', () => {
  it('checks every node read-only: SSH login and BMC status work, nothing changes', async () => {
    const ctl = await rig.controller();
    const reports = (await Promise.all(NODES.map((n) => ctl.check(n)))).flat();
    expect(reports.map((r) => [r.node, r.driver, r.ok])).toEqual(NODES.flatMap((n) => [[n, 'ssh', true], [n, 'ipmi', true]]));
    expect(reports.filter((r) => r.driver === 'ipmi').map((r) => r.state)).toEqual(['on', 'on', 'on']);
    expect(rig.power.history).toEqual([]);
  });

  it('shuts every node down the seed\'s way and powers them all back on', async () => {
    const ctl = await rig.controller();
    for (const n of NODES) {
      expect(ctl.route(n)).toEqual({ node: n, shutdown: 'ssh', powerOn: 'ipmi', status: 'bmc' });
      await ctl.shutdown(n, { deadline: rig.deadline(120) });
      expect(rig.power.state(n)).toBe('off');
    }
    await rig.fronts.settled();
    for (const info of rig.fronts.nodes) expect(await tcpPortOpen(info.address, info.sshPort, 1000)).toBe(false);
    expect(rig.log.filter((l) => l.includes('ssh: running "sudo -i shutdown -h now"'))).toHaveLength(3);
    // Graceful only: the BMC never cut the power.
    expect(rig.power.history.filter((h) => h.state === 'shutting-down').map((h) => h.node)).toEqual(NODES);

    for (const n of [...NODES].reverse()) {
      await ctl.powerOn(n, { deadline: rig.deadline(120) });
      expect(rig.power.state(n)).toBe('on');
      expect((await ctl.observe(n)).evidence).toMatch(/^BMC says on; Ready, SSH port 127\.0\.1\.\d+:\d+ open$/);
    }
    expect(rig.log.filter((l) => l.includes('ipmi: chassis power on'))).toHaveLength(3);
  });
});

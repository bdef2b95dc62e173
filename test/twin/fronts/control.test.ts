// The twin's power-control endpoint and the two bash scripts that real daemons run
// against it (sshd ForceCommand, ipmi_sim chassis_control), run here with real bash.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../src/common/clock.js';
import { startControlEndpoint, type ControlEndpoint } from '../../../src/twin/fronts/control-server.js';
import { followPower } from '../../../src/twin/fronts/follow-power.js';
import { freeTcpPort, freeUdpPort } from '../../../src/twin/fronts/loopback.js';
import { chassisControlScript, sshdForceCommandScript, writeScript } from '../../../src/twin/fronts/scripts.js';
import { TestNodePower } from '../../power/helpers/twin-power.js';

const run = promisify(execFile);
let dir: string;
let power: TestNodePower;
let control: ControlEndpoint;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-control-'));
});

afterEach(async () => {
  power?.dispose();
  await control?.stop();
});

async function start() {
  power = new TestNodePower(['n1', 'n2'], new ScaledClock(100), { shutdownMs: 3_600_000, bootMs: 3_600_000 });
  control = await startControlEndpoint(power);
}

async function script(name: string, text: string): Promise<string> {
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2)}.sh`);
  await writeScript(path, text);
  return path;
}

describe('control endpoint', () => {
  it('reports and drives a node, and refuses unknown nodes and verbs', async () => {
    await start();
    const get = async (path: string, method = 'GET') => {
      const res = await fetch(`${control.url}${path}`, { method });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await get('/nodes/n1')).toEqual({ status: 200, body: { name: 'n1', state: 'on', power: 1 } });
    expect(await get('/nodes/n1/shutdown', 'POST')).toEqual({ status: 202, body: { name: 'n1', state: 'shutting-down', power: 1 } });
    expect((await get('/nodes/n1/forceoff', 'POST')).body).toMatchObject({ state: 'off', power: 0 });
    expect((await get('/nodes/n1/poweron', 'POST')).body).toMatchObject({ state: 'booting', power: 1 });
    expect((await get('/nodes/zz')).status).toBe(404);
    expect((await get('/nodes/n2/explode', 'POST')).status).toBe(405);
    expect(power.state('n2')).toBe('on');
  });

  it('binds to loopback only', async () => {
    power = new TestNodePower(['n1'], new ScaledClock(100));
    await expect(startControlEndpoint(power, '0.0.0.0')).rejects.toThrow(/127\.0\.0\.0\/8 only/);
  });
});

describe('chassis_control script', () => {
  it('answers get power and maps set power/shutdown/reset/boot to the twin', async () => {
    await start();
    const path = await script('chassis', chassisControlScript(control.url, 'n2'));
    const call = async (...args: string[]) => (await run(path, ['0x20', ...args])).stdout.trim();
    expect(await call('get', 'power')).toBe('power:1');
    await call('set', 'shutdown', '1');
    expect(power.state('n2')).toBe('shutting-down');
    await call('set', 'power', '0');
    expect(power.state('n2')).toBe('off');
    expect(await call('get', 'power')).toBe('power:0');
    await call('set', 'power', '1');
    expect(power.state('n2')).toBe('booting');
    expect(await call('get', 'power')).toBe('power:1');
    await call('set', 'reset', '1');
    expect(power.history.slice(-2).map((h) => h.state)).toEqual(['off', 'booting']);
    expect(await call('set', 'boot', 'pxe')).toBe('');
    await expect(run(path, ['0x20', 'get', 'nonsense'])).rejects.toMatchObject({ code: 1 });
    expect(power.state('n1')).toBe('on');
  });

  it('fails (non-zero) when the control endpoint is gone', async () => {
    await start();
    const path = await script('chassis', chassisControlScript(control.url, 'n1'));
    await control.stop();
    await expect(run(path, ['0x20', 'get', 'power'])).rejects.toMatchObject({ code: 1 });
  });
});

describe('sshd ForceCommand script', () => {
  it('turns a shutdown command into a twin shutdown and refuses anything else', async () => {
    await start();
    const path = await script('force', sshdForceCommandScript(control.url, 'n1'));
    const other = await run(path, [], { env: { SSH_ORIGINAL_COMMAND: 'uptime' } }).catch((e: { code: number; stderr: string }) => e);
    expect(other).toMatchObject({ code: 127 });
    expect((other as { stderr: string }).stderr).toContain('only shutdown is modelled, not "uptime"');
    expect(power.state('n1')).toBe('on');
    const { stdout } = await run(path, [], { env: { SSH_ORIGINAL_COMMAND: 'sudo -i shutdown -h now' } });
    expect(stdout).toMatch(/^Shutdown scheduled for /);
    expect(power.state('n1')).toBe('shutting-down');
  });
});

describe('followPower', () => {
  it('runs a service only while its node is on', async () => {
    await start();
    const calls: string[] = [];
    const f = followPower(power, 'n1', {
      start: () => Promise.resolve(void calls.push('start')),
      stop: () => Promise.resolve(void calls.push('stop')),
    });
    await f.settled();
    power.requestShutdown('n1');
    await f.settled();
    expect(calls).toEqual(['start']); // still running while shutting down
    power.forceOff('n1');
    power.powerOn('n1');
    await f.settled();
    expect(calls).toEqual(['start', 'stop']); // not yet: booting
    power.forceOff('n1');
    f.dispose();
    power.powerOn('n1');
    await f.settled();
    expect(calls).toEqual(['start', 'stop']);
  });

  it('says which node could not start its daemon, and tries again at the next power-on', async () => {
    const clock = new ScaledClock(100);
    const quick = new TestNodePower(['n1'], clock, { shutdownMs: 1000, bootMs: 1000 });
    let taken = true;
    const f = followPower(quick, 'n1', {
      start: () => (taken ? Promise.reject(new Error('listen EADDRINUSE: address already in use 127.0.1.1:2222')) : Promise.resolve()),
      stop: () => Promise.resolve(),
    });
    try {
      await expect(f.settled()).rejects.toThrow(/^node n1: its daemon could not start: listen EADDRINUSE/);
      taken = false;
      quick.forceOff('n1');
      quick.powerOn('n1');
      while (quick.state('n1') !== 'on') await clock.sleep(100);
      await expect(f.settled()).resolves.toBeUndefined();
    } finally {
      f.dispose();
      quick.dispose();
    }
  });
});

describe('free ports for node daemons', () => {
  it('come from below the kernel\'s ephemeral range, which listen(0) and outgoing connections draw from', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (let i = 0; i < 5; i++) {
      expect(await freeTcpPort('127.0.1.250')).toBeLessThan(low);
      expect(await freeUdpPort('127.0.1.250')).toBeLessThan(low);
    }
  });
});

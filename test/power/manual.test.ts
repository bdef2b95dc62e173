// The manual driver with a scripted operator: what it prints, that it waits for the node
// itself (not for Enter), abort, timeout, and failing fast when nobody is there.
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { NeedsOperatorError } from '../../src/common/errors.js';
import type { PowerState } from '../../src/power/driver.js';
import { parseInventory } from '../../src/power/inventory.js';
import { ManualDriver, type OperatorConsole } from '../../src/power/manual.js';
import { ScriptedOperator } from './helpers/operator.js';
import { TestNodePower } from './helpers/twin-power.js';

const inventory = parseInventory(
  'schemaVersion: 1\nkind: PowerInventory\ndefaults: {ssh: {keyFile: /k}}\nnodes:\n  harv41: {manual: true, location: "rack 3, U12", ssh: {address: 10.0.0.41}}\n',
  '/p.yaml',
);

const clock = new ScaledClock(100);
let power: TestNodePower;
afterEach(() => power?.dispose());

function driver(op: OperatorConsole, initial: 'on' | 'off' = 'off', waitMs = 10 * 60_000): ManualDriver {
  power = new TestNodePower(['harv41'], clock, { initial, bootMs: 5000, shutdownMs: 5000 });
  const observe = (node: string): Promise<PowerState> => {
    const s = power.state(node);
    return Promise.resolve(s === 'on' ? 'on' : s === 'off' ? 'off' : 'unknown');
  };
  return new ManualDriver(inventory, { console: op, clock, observe, waitMs, pollMs: 1000 });
}

describe('ManualDriver', () => {
  it('says which machine to switch on, and goes on once the node is seen on', async () => {
    const op = new ScriptedOperator(true, false, [
      () => {
        power.powerOn('harv41'); // the operator presses the button, then Enter
        return '';
      },
    ]);
    await driver(op).powerOn('harv41');
    expect(power.state('harv41')).toBe('on');
    expect(op.lines[0]).toBe('ACTION NEEDED: switch ON node harv41, IP 10.0.0.41, location: rack 3, U12.');
    expect(op.lines.at(-1)).toBe('Seen: node harv41 is on.');
  });

  it('does not take Enter for the deed: it keeps watching until the node is really on', async () => {
    const op = new ScriptedOperator(true, false, [
      () => '',
      () => {
        power.powerOn('harv41');
        return new Promise<string>(() => undefined); // then says nothing more
      },
    ]);
    await driver(op).powerOn('harv41');
    expect(op.lines).toContain('Not seen yet: node harv41 does not look on; still waiting.');
    expect(op.lines.at(-1)).toBe('Seen: node harv41 is on.');
  });

  it('asks nothing when the node already is as wanted', async () => {
    const op = new ScriptedOperator(true, false);
    await driver(op, 'on').powerOn('harv41');
    expect(op.questions).toEqual([]);
  });

  it('stops when the operator types abort', async () => {
    const op = new ScriptedOperator(true, false, [() => 'abort']);
    const err = await driver(op).powerOn('harv41').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect((err as Error).message).toBe('The operator stopped waiting for node harv41 to be switched on');
    expect(power.state('harv41')).toBe('off');
  });

  it('gives up after its wait with a message naming the node', async () => {
    const op = new ScriptedOperator(true, false);
    const err = await driver(op, 'on', 20_000).shutdown('harv41').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect((err as Error).message).toBe('Node harv41 was not seen switched off within 20 s of asking for it');
  });

  it.each([
    ['not interactive', false, false],
    ['--yes', true, true],
  ])('fails at once when %s, without asking', async (_name, interactive, yes) => {
    const op = new ScriptedOperator(interactive, yes);
    const d = driver(op);
    const err = await d.powerOn('harv41').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsOperatorError);
    expect((err as Error).message).toMatch(/^Node harv41 must be switched on by hand, but nobody is at the terminal/);
    expect(op.lines).toEqual([]);
    expect(op.questions).toEqual([]);
    expect((await d.check('harv41')).ok).toBe(false);
  });
});

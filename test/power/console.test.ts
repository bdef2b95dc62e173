// The terminal operator: interactive only on a TTY, answers read by line, a question
// withdrawn when fallow stops waiting.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalConsole } from '../../src/power/console.js';

function tty(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = Object.assign(new PassThrough(), { isTTY });
  let written = '';
  output.on('data', (d: Buffer) => (written += d.toString()));
  return { input, output, written: () => written };
}

describe('terminalConsole', () => {
  it('is interactive only when input and output are TTYs', () => {
    const t = tty(true);
    expect(terminalConsole({ assumeYes: false, input: t.input, output: t.output }).interactive).toBe(true);
    const p = tty(false);
    expect(terminalConsole({ assumeYes: false, input: p.input, output: p.output }).interactive).toBe(false);
    expect(terminalConsole({ assumeYes: true, input: t.input, output: t.output }).assumeYes).toBe(true);
  });

  it('says lines, reads an answer, and withdraws a question on abort', async () => {
    const t = tty(false);
    const con = terminalConsole({ assumeYes: false, input: t.input, output: t.output });
    con.say('ACTION NEEDED: switch ON node harv41.');
    const answer = con.ask('Press Enter: ', new AbortController().signal);
    t.input.write('abort\n');
    expect(await answer).toBe('abort');
    const ac = new AbortController();
    const pending = con.ask('Again: ', ac.signal);
    ac.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(t.written()).toContain('ACTION NEEDED: switch ON node harv41.\n');
    expect(t.written()).toContain('Press Enter: ');
  });
});

// The operator at a terminal, for the manual driver: interactive only when both stdin and
// stdout are TTYs; a question is withdrawn (its readline closed) as soon as fallow sees
// the node change by itself.
import { createInterface } from 'node:readline/promises';
import type { OperatorConsole } from './manual.js';

export interface TerminalConsoleOptions {
  /** --yes: nobody is expected to answer, even on a TTY. */
  assumeYes: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function terminalConsole(o: TerminalConsoleOptions): OperatorConsole {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  return {
    interactive: input.isTTY === true && output.isTTY === true,
    assumeYes: o.assumeYes,
    say(line: string) {
      output.write(`${line}\n`);
    },
    async ask(question: string, signal: AbortSignal) {
      const rl = createInterface({ input, output, terminal: output.isTTY === true });
      try {
        return await rl.question(question, { signal });
      } finally {
        rl.close();
      }
    },
  };
}

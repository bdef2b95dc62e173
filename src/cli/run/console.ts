// The operator at the terminal: confirmations for destructive acts and the manual power
// prompts. Interactive only on a TTY stdin without --yes; otherwise nobody answers, and
// the engine and the manual driver stop with a message instead of waiting for no one.
import { createInterface } from 'node:readline/promises';
import type { OperatorConsole } from '../../power/manual.js';
import type { PromptRequest } from '../../engine/options.js';
import type { CliIO } from '../context.js';

export interface Operator extends OperatorConsole {
  prompt(req: PromptRequest): Promise<boolean>;
}

export function operatorConsole(io: CliIO, o: { yes: boolean; stdin?: NodeJS.ReadStream; beforeWrite?: () => void }): Operator {
  const stdin = o.stdin ?? process.stdin;
  const interactive = Boolean(stdin.isTTY) && !o.yes;
  const ask = async (question: string, signal?: AbortSignal): Promise<string> => {
    o.beforeWrite?.();
    const rl = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream });
    try {
      return await rl.question(question, signal ? { signal } : {});
    } finally {
      rl.close();
    }
  };
  return {
    interactive,
    assumeYes: o.yes,
    say(line) {
      o.beforeWrite?.();
      io.stderr.write(`${line}\n`);
    },
    ask,
    async prompt(req) {
      o.beforeWrite?.();
      for (const d of req.details ?? []) io.stderr.write(`    ${d}\n`);
      const answer = await ask(`${req.question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    },
  };
}

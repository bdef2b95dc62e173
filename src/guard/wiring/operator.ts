// The guard runs unattended (a systemd service): its log is its terminal. This file gives
// it a line logger (journalctl adds nothing but the text, so each line carries its modelled
// time and level) and the operator console the power layer talks to. A node without a BMC
// still needs a person: the manual driver's "switch ON node harv2, IP …" goes to the log
// and the guard journal, and the driver waits until it sees the node change by itself;
// nobody can answer a question, so a question is never answered.
import type { Clock } from '../../common/clock.js';
import type { Operator } from '../../cli/run/console.js';
import type { OutStream } from '../../cli/context.js';
import type { GuardLogger } from '../monitor.js';

export function lineLogger(out: OutStream, err: OutStream, clock: Clock): GuardLogger {
  const line = (level: string, msg: string) => `${new Date(clock.now()).toISOString()} guard ${level}: ${msg}\n`;
  return {
    info: (_o, msg) => void out.write(line('info', msg)),
    warn: (_o, msg) => void err.write(line('warn', msg)),
    error: (_o, msg) => void err.write(line('error', msg)),
  };
}

export function guardOperator(logger: GuardLogger, record: (message: string) => void): Operator {
  return {
    // "Attended" for the manual power driver: a person reads the log and presses the button.
    interactive: true,
    assumeYes: false,
    say(line) {
      logger.warn({}, line);
      record(line);
    },
    ask(_question, signal) {
      return new Promise<string>((_resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    },
    // The engine runs with --yes under the guard; if it ever asks, the answer is no (fail closed).
    prompt: async () => false,
  };
}

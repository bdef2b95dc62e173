// A scripted operator for the power tests: each question gets the next scripted step
// (which may act on the twin first, like a person pressing a button); with no step left
// it stays silent until the question is withdrawn.
import type { OperatorConsole } from '../../../src/power/manual.js';

export type OperatorStep = () => string | Promise<string>;

export class ScriptedOperator implements OperatorConsole {
  readonly lines: string[] = [];
  readonly questions: string[] = [];
  constructor(
    readonly interactive: boolean,
    readonly assumeYes: boolean,
    private readonly steps: OperatorStep[] = [],
  ) {}
  say(line: string): void {
    this.lines.push(line);
  }
  ask(question: string, signal: AbortSignal): Promise<string> {
    this.questions.push(question);
    const step = this.steps.shift();
    if (step) return Promise.resolve(step());
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('question withdrawn')), { once: true }));
  }
}

// Confirmations: --yes answers yes, an interactive operator answers the prompt, and with
// neither the answer is no. A destructive step not confirmed stops the run (resumably)
// with what to rerun. Every answer is journaled.
import { NeedsOperatorError } from '../common/errors.js';
import type { Session } from './session.js';
import type { ConfirmRequest, Step } from './types.js';

export async function askOperator<Env>(s: Session<Env>, stepId: string, req: ConfirmRequest): Promise<{ answer: boolean; by: 'flag' | 'operator' | 'non-interactive' }> {
  const o = s.options;
  let answer = false;
  let by: 'flag' | 'operator' | 'non-interactive' = 'non-interactive';
  if (o.yes) {
    answer = true;
    by = 'flag';
  } else if (o.interactive && o.prompt) {
    answer = await o.prompt({ ...req, step: stepId });
    by = 'operator';
  }
  s.append({ type: 'confirm', step: stepId, question: req.question, answer, by });
  s.emit({ type: 'confirm', step: stepId, question: req.question, answer, by });
  return { answer, by };
}

/** The gate before a destructive act; throws NeedsOperatorError unless confirmed. */
export async function confirmStep<Env>(s: Session<Env>, step: Step<Env>, details: string[]): Promise<void> {
  const { answer, by } = await askOperator(s, step.id, { question: `${step.title}?`, details });
  if (answer) return;
  const what = `"${step.title}" (step ${step.id}) changes the cluster`;
  throw by === 'non-interactive'
    ? new NeedsOperatorError(
        `${what} and needs a confirmation, but nobody can answer here`,
        'Review what it does (`fallow status`, or --dry-run), then run `fallow resume --yes`',
      )
    : new NeedsOperatorError(`${what}: not confirmed, stopped before it`, 'Run `fallow resume` when you are ready to go on');
}

// Live progress of a running command, from the engine's events. Three renderers:
//  - tty:   a tree (phase → step) where the running step's line is redrawn in place with
//           what it waits for, its elapsed time and the time left before its deadline;
//  - plain: one timestamped line per event (not a TTY, --no-color, CI);
//  - jsonl: the events themselves, one JSON object per line (-o jsonl).
// Hand-written rather than listr2: the engine decides the steps as it goes (skips, resumes,
// waits inside acts), which listr2's up-front task lists do not model.
import type { EngineEvent } from '../../engine/events.js';
import type { OutStream } from '../context.js';
import type { Colors } from '../output.js';

export type ProgressMode = 'tty' | 'plain' | 'jsonl';

/** Modelled ms between two plain lines of an unchanged wait. */
const PLAIN_REPEAT_MS = 5 * 60_000;

export function progressMode(o: { output?: string; stream: OutStream; env: NodeJS.ProcessEnv; color: boolean }): ProgressMode {
  if (o.output === 'jsonl') return 'jsonl';
  if (o.stream.isTTY && o.color && !o.env.CI && !o.env.NO_COLOR) return 'tty';
  return 'plain';
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

// eslint-disable-next-line no-control-regex
const colourCode = /(\u001b\[[0-9;]*m)/;

/** Characters a terminal shows (colour codes take no room). */
export function visibleLength(text: string): number {
  return text.split(colourCode).reduce((n, p) => n + (p.startsWith('\u001b[') ? 0 : [...p].length), 0);
}

/** Cuts `text` to fewer than `columns` visible characters ("…" at the cut), keeping colour codes whole. */
export function fitWidth(text: string, columns: number | undefined): string {
  if (!columns || columns < 2 || visibleLength(text) < columns) return text;
  const parts = text.split(colourCode);
  const isCode = (p: string) => p.startsWith('\u001b[');
  let budget = columns - 2; // room for the text before "…"
  let out = '';
  for (const p of parts) {
    if (isCode(p)) out += p;
    else {
      const chars = [...p].slice(0, budget);
      out += chars.join('');
      budget -= chars.length;
    }
  }
  return `${out}…${text.includes('\u001b[') ? '\u001b[0m' : ''}`;
}

export class ProgressPrinter {
  private phases = new Map<string, string>(); // step id → phase
  private titles = new Map<string, string>();
  private lastPhase = '';
  private live = ''; // the line being redrawn (tty)
  private stepStart = new Map<string, number>();
  private runStart = 0;
  /** Plain mode: the last wait line per step, so an unchanged wait is printed every few minutes, not on every look. */
  private lastWait = new Map<string, { detail: string; t: number }>();

  constructor(
    private readonly out: OutStream,
    private readonly mode: ProgressMode,
    private readonly c: Colors,
  ) {}

  readonly onEvent = (e: EngineEvent): void => {
    if (this.mode === 'jsonl') {
      this.out.write(JSON.stringify(e) + '\n');
      return;
    }
    const described = this.describe(e);
    if (described === undefined) return;
    const line = { ...described, text: described.tail ? `${described.text} ${described.tail}` : described.text };
    if (this.mode === 'plain' && (e.type === 'wait-progress' || e.type === 'progress')) {
      const last = this.lastWait.get(e.step);
      if (last && last.detail === e.detail && e.t - last.t < PLAIN_REPEAT_MS) return;
      this.lastWait.set(e.step, { detail: e.detail, t: e.t });
    }
    if (this.mode === 'plain') {
      this.out.write(`${new Date(e.t).toISOString()} ${line.text}\n`);
      return;
    }
    if (line.live) {
      // A redrawn line must fit on one row: "\r" + erase-line reach only the row the
      // cursor is on, so the rows of a wrapped line would stay on the screen.
      // The timing tail (elapsed, deadline) stays whole; the detail before it gives way.
      const columns = (this.out as { columns?: number }).columns;
      const tail = described.tail ? ` ${described.tail}` : '';
      const room = columns === undefined ? undefined : columns - visibleLength(tail);
      const text = room !== undefined && room < 20 ? fitWidth(line.text, columns) : `${fitWidth(described.text, room)}${tail}`;
      this.live = text;
      this.out.write(`\r\u001b[2K${text}`);
    } else {
      this.out.write(`${this.live ? '\r\u001b[2K' : ''}${line.text}\n`);
      this.live = '';
    }
  };

  /** Clears a pending live line (before printing something else). */
  flush(): void {
    if (this.mode === 'tty' && this.live) this.out.write('\r\u001b[2K');
    this.live = '';
  }

  /** `tail`: printed after the text, kept whole when a live line is cut to the terminal. */
  private describe(e: EngineEvent): { text: string; live?: boolean; tail?: string } | undefined {
    const { c } = this;
    const title = (id: string) => this.titles.get(id) ?? id;
    switch (e.type) {
      case 'run-start': {
        this.runStart = e.t;
        for (const s of e.steps) {
          this.phases.set(s.id, s.phase);
          this.titles.set(s.id, s.title);
        }
        const what = e.dryRun ? 'dry run of' : e.resumed ? 'resuming' : 'starting';
        return { text: c.bold(`${what} ${e.runbook}: ${e.steps.length} steps${e.runDir ? ` (journal ${e.runDir})` : ''}`) };
      }
      case 'step-start': {
        this.stepStart.set(e.step, e.t);
        const phase = this.phases.get(e.step) ?? '';
        const head = phase !== this.lastPhase ? `${c.bold(phase)}\n` : '';
        this.lastPhase = phase;
        return { text: `${head}  ${c.dim(`[${e.index + 1}/${e.total}]`)} ${e.title}${e.resumed ? c.dim(' (resumed)') : ''}` };
      }
      case 'step-skip':
        return { text: `  ${c.dim('–')} ${e.title}: ${c.dim(`skipped, ${e.reason}`)}` };
      case 'plan':
        return { text: `  ${e.destructive ? c.yellow('!') : '·'} ${e.title}${e.alreadyDone ? c.dim(' (already done)') : ''}${e.lines.map((l) => `\n      ${l}`).join('')}` };
      case 'act':
        return e.attempt > 1 ? { text: `    ${c.dim(`retrying (attempt ${e.attempt})`)}` } : undefined;
      case 'progress':
        return { text: `    ${e.detail}`, live: this.mode === 'tty' };
      case 'wait-progress':
        return { text: `    ${e.detail}`, tail: c.dim(`(${formatDuration(e.elapsedMs)}, deadline in ${formatDuration(e.remainingMs)})`), live: this.mode === 'tty' };
      case 'retry':
        return { text: `    ${c.yellow('retry')} in ${formatDuration(e.delayMs)}: ${e.error}` };
      case 'warning':
        return { text: `    ${c.yellow('warning:')} ${e.message}` };
      case 'step-done': {
        const took = e.t - (this.stepStart.get(e.step) ?? e.t);
        return { text: `  ${c.green('✓')} ${title(e.step)}${e.detail ? c.dim(` — ${e.detail}`) : ''} ${c.dim(formatDuration(took))}` };
      }
      case 'step-failed':
        return { text: `  ${c.red('✗')} ${title(e.step)}: ${e.error}` };
      case 'run-end': {
        const took = formatDuration(e.t - this.runStart);
        if (e.state === 'completed') return { text: c.green(c.bold(`done in ${took}`)) };
        if (e.state === 'dry-run') return { text: c.dim('dry run: nothing was changed') };
        return { text: c.yellow(`stopped after ${took}${e.message ? `: ${e.message}` : ''}`) };
      }
      default:
        return undefined;
    }
  }
}

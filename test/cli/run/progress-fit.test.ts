// A live progress line redrawn in place must fit on one terminal row (a wrapped row
// would stay on the screen): fitWidth cuts it, colour codes survive the cut whole, and a
// wait's timing tail (elapsed, deadline) is kept while its detail gives way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitWidth, ProgressPrinter } from '../../../src/cli/run/progress.js';
import { colors } from '../../../src/cli/output.js';
import type { EngineEventBody } from '../../../src/engine/events.js';

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
const visible = (s: string) => [...s.replace(ansi, '')].length;

describe('fitWidth', () => {
  it('keeps a line that fits, and cuts one that does not to fewer visible characters than the columns', () => {
    const piece = fc.oneof(fc.string({ maxLength: 30 }).map((s) => s.replaceAll('\u001b', '')), fc.constantFrom('\u001b[2m', '\u001b[22m', '\u001b[1m', '\u001b[33m', 'ü', '✓'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 2, max: 200 }), (parts, columns) => {
        const text = parts.join('');
        const out = fitWidth(text, columns);
        if (visible(text) < columns) expect(out).toBe(text);
        else {
          expect(visible(out)).toBeLessThan(columns);
          expect(out.replace(ansi, '').endsWith('…')).toBe(true);
          expect(text.replace(ansi, '').startsWith(out.replace(ansi, '').slice(0, -1))).toBe(true);
          expect(out.replace(ansi, '').includes('\u001b')).toBe(false);
        }
      }),
    );
  });

  it('leaves the text alone when the width is unknown (not a terminal)', () => {
    expect(fitWidth('x'.repeat(500), undefined)).toBe('x'.repeat(500));
  });
});

describe('a live wait line on a terminal', () => {
  function printed(columns: number, detail: string): string {
    let out = '';
    const p = new ProgressPrinter({ write: (s: string) => (out += s), isTTY: true, columns } as { write(s: string): void; isTTY: boolean }, 'tty', colors(true));
    const events: EngineEventBody[] = [
      { type: 'run-start', runbook: 'shutdown', resumed: false, dryRun: false, steps: [{ id: 's1', title: 'Shut down traditional VMs', phase: 'Shutdown workloads', destructive: true }] },
      { type: 'step-start', step: 's1', title: 'Shut down traditional VMs', index: 0, total: 1, resumed: false },
      { type: 'wait-progress', step: 's1', name: 'VMIs gone', detail, elapsedMs: 81_000, remainingMs: 399_000 },
    ];
    for (const e of events) p.onEvent({ ...e, t: 0, runId: 'r' } as Parameters<typeof p.onEvent>[0]);
    return out;
  }

  it('counts steps from 1, and keeps the deadline when the detail is cut', () => {
    const out = printed(100, `waiting for 5 VMs to stop (5 in progress: ${Array.from({ length: 5 }, (_, i) => `default/vm-${i}`).join(', ')})`);
    expect(out.replace(ansi, '')).toContain('[1/1] Shut down traditional VMs');
    const live = out.slice(out.lastIndexOf('\r\u001b[2K') + 5);
    expect(visible(live)).toBeLessThan(100);
    expect(live.replace(ansi, '')).toMatch(/^ {4}waiting for 5 VMs to stop \(5 in progress: default\/vm-0, .*… \(1m21s, deadline in 6m39s\)$/);
  });

  it('prints a line that fits as it is', () => {
    const out = printed(120, 'waiting for 1 VM to stop: default/vm1');
    const live = out.slice(out.lastIndexOf('\r\u001b[2K') + 5).replace(ansi, '');
    expect(live).toBe('    waiting for 1 VM to stop: default/vm1 (1m21s, deadline in 6m39s)');
  });
});

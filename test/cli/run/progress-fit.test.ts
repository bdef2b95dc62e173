// fitWidth: a live progress line redrawn in place must fit on one terminal row (a wrapped
// row would stay on the screen); colour codes survive the cut whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitWidth } from '../../../src/cli/run/progress.js';

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

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { exampleFile, exampleReport } from './example.js';

describe('docs/report-example.md', () => {
  it('is what the renderer produces today (regenerate: node --import tsx test/report/write-example.ts)', async () => {
    const doc = await readFile(exampleFile, 'utf8');
    expect(doc).toBe(renderMarkdown(await exampleReport()));
  });
});

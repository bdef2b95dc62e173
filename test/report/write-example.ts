// Writes docs/report-example.md from test/report/example.ts.
import { writeFile } from 'node:fs/promises';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { exampleFile, exampleReport } from './example.js';

await writeFile(exampleFile, renderMarkdown(await exampleReport()));
console.log(`wrote ${exampleFile.pathname}`);

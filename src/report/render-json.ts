// The report as JSON (`-o json`, and the file other tools read). The Report is already
// plain, redacted data with a schema field; this only fixes the formatting.
import type { Report } from './report.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from
// vitest's JSON report, counting extra failed checks (typecheck, lint) passed as args.
import { readFileSync } from 'node:fs';

const [file, ...extra] = process.argv.slice(2);
let passed = 0;
let failed = Number(extra.find((a) => a.startsWith('--extra-failed='))?.split('=')[1] ?? 0);
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} catch (e) {
  console.error(`no vitest report at ${file}: ${e.message}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

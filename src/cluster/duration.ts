// kubectl-style durations for --request-timeout. Kept apart from connect.ts so the CLI
// can validate flags without loading the Kubernetes client.
import { UsageError } from '../common/errors.js';

/**
 * kubectl's --request-timeout: "0" (none), a bare number of seconds, or a duration with
 * units ("500ms", "30s", "2m", "1h", "1m30s"). Returns wall ms.
 */
export function parseRequestTimeout(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0].length;
  }
  if (v.length === 0 || matched !== v.length) {
    throw new UsageError(`invalid --request-timeout "${value}"`, 'Use 0 (no timeout), seconds (30) or a duration such as 30s, 2m or 1m30s');
  }
  return Math.round(total);
}

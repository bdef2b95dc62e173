// `--health-timeout`: a duration, or a bare number of minutes (as the flag took before and
// as runs stored it for resume).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { runOptionsFrom } from '../../../src/cli/run/env.js';

describe('--health-timeout', () => {
  it.each([
    [undefined, 15 * 60_000],
    ['15', 15 * 60_000],
    ['20m', 20 * 60_000],
    ['1h', 60 * 60_000],
    ['1m30s', 90_000],
  ])('%s → %d ms', (flag, ms) => expect(runOptionsFrom(flag === undefined ? {} : { healthTimeout: flag }).healthTimeoutMs).toBe(ms));

  it.each(['0', '30s', 'soon', '5x'])('refuses %j, naming the flag', (flag) => {
    expect(() => runOptionsFrom({ healthTimeout: flag })).toThrow(UsageError);
    expect(() => runOptionsFrom({ healthTimeout: flag })).toThrow(/--health-timeout/);
  });
});

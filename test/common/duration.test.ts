import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/common/duration.js';

describe('parseDuration', () => {
  it.each([
    ['15m', 900_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    [' 2h ', 7_200_000],
    ['1.5m', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '15 m', '15min', '-5m', '0s', '1d'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());
});

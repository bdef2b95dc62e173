// Durations as operators type them on the command line: "15m", "90s", "1h30m".

/** Milliseconds of "1h30m" / "15m" / "90s" (units h, m, s, in that form only); undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  let ms = 0;
  let matched = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/gy)) {
    ms += Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
    matched += m[0].length;
  }
  return t !== '' && matched === t.length && ms > 0 ? Math.round(ms) : undefined;
}

// Output helpers that reproduce etcdctl 3.5's printers byte for byte: the olekukonko
// tablewriter layout etcdctl uses for `-w table` (upper-cased centred headers, cells
// aligned right), go-humanize's SI byte sizes ("34 MB"), and Go's encoding/json for
// structs holding uint64 member ids (which do not fit a JS number).

/** A JSON value whose big integers are kept exact (bigint prints as a bare number). */
export type GoJson = null | boolean | number | bigint | string | GoJson[] | { [k: string]: GoJson | undefined };

/** Compact JSON as Go's json.Marshal writes it; `undefined` fields are omitted (omitempty). */
export function goJson(v: GoJson): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString(10);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'string') return goString(v);
  if (Array.isArray(v)) return '[' + v.map(goJson).join(',') + ']';
  const parts: string[] = [];
  for (const [k, val] of Object.entries(v)) if (val !== undefined) parts.push(goString(k) + ':' + goJson(val));
  return '{' + parts.join(',') + '}';
}

/** Go escapes <, > and & in JSON strings (HTML-safe by default). */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&]/g, (c) => '\\u00' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** go-humanize Bytes(): SI units, one decimal below 10. */
export function humanizeBytes(n: number): string {
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  if (n < 10) return `${n} B`;
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const suffix = sizes[e] ?? 'EB';
  const val = Math.floor((n / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${suffix}` : `${val.toFixed(0)} ${suffix}`;
}

/** tablewriter.NewWriter + SetHeader + Append + SetAlignment(ALIGN_RIGHT) + Render. */
export function renderTable(header: string[], rows: string[][]): string {
  const title = header.map((h) => h.replace(/[_.]/g, ' ').toUpperCase());
  const widths = title.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const headerCells = title.map((h, i) => ' ' + centre(h, widths[i]!) + ' ');
  const out = [line, '|' + headerCells.join('|') + '|', line];
  for (const r of rows) out.push('|' + widths.map((w, i) => ' ' + (r[i] ?? '').padStart(w) + ' ').join('|') + '|');
  out.push(line);
  return out.join('\n') + '\n';
}

/** tablewriter's Pad: the odd space goes to the right. */
function centre(s: string, width: number): string {
  const gap = width - s.length;
  if (gap <= 0) return s;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

/** Go's time.Duration String() for durations under a minute ("8.123456ms", "1.5s"). */
export function goDuration(ms: number): string {
  if (ms >= 1000) return `${trimZeros((ms / 1000).toFixed(9))}s`;
  if (ms >= 1) return `${trimZeros(ms.toFixed(6))}ms`;
  return `${trimZeros((ms * 1000).toFixed(3))}µs`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

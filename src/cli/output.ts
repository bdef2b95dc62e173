// Output for read commands: one data value, rendered as a human table (default), JSON or
// YAML (`-o`). Also the small text helpers tables are built from, and colour that turns
// itself off for --no-color, NO_COLOR and non-terminals.
import { createRequire } from 'node:module';
import { Option } from 'commander';
import { UsageError } from '../common/errors.js';

// The YAML library is required on first use, not imported: every command loads this
// module, and `fallow --help` should not pay for a YAML parser it never uses.
const requireLazily = createRequire(import.meta.url);
const toYaml = (data: unknown): string => (requireLazily('yaml') as typeof import('yaml')).stringify(data, { lineWidth: 0 });

export type OutputFormat = 'table' | 'json' | 'yaml';
export const outputFormats: OutputFormat[] = ['table', 'json', 'yaml'];

export function parseOutputFormat(v: string, allowed: readonly string[] = outputFormats): string {
  if (!allowed.includes(v)) throw new UsageError(`unknown output format "${v}"`, `Use one of: ${allowed.join(', ')}`);
  return v;
}

/** `-o table|json|yaml` for read commands (running commands add `jsonl`). */
export function outputOption(formats: readonly string[] = outputFormats, dflt = 'table'): Option {
  return new Option('-o, --output <format>', 'output format').choices([...formats]).default(dflt);
}

export function render<T>(format: OutputFormat, data: T, table: (d: T) => string): string {
  if (format === 'json') return JSON.stringify(data, null, 2) + '\n';
  if (format === 'yaml') return toYaml(data);
  return table(data);
}

/** Left-aligned columns separated by three spaces, like kubectl get. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c))))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
function visible(s: string): number {
  return s.replace(ansi, '').length;
}

export interface Colors {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export function colors(enabled: boolean): Colors {
  const wrap = (code: number, reset: number) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[${reset}m` : s);
  return { green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}

/** Colour only on a terminal, and never with --no-color or NO_COLOR. */
export function colorEnabled(flag: boolean, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return flag && stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

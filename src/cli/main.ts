// The fallow CLI entry: declares the program and its global flags, registers the command
// modules (commands/index.ts), and maps every error to one line and an exit code in one
// place. bin/fallow.js and bin/kubectl-fallow.js call main() from dist/; in development
// `node --import tsx src/cli/main.ts …` runs it directly.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, FallowError, formatError } from '../common/errors.js';
import { fallowVersion } from '../journal/version.js';
import { commands } from './commands/index.js';
import { CliContext, type CliIO } from './context.js';

export interface MainOptions {
  asKubectlPlugin?: boolean;
  io?: Partial<CliIO>;
}

const exitCodeHelp = `
Exit codes:
  ${ExitCode.ok}    success
  ${ExitCode.failed}    a run stopped on an error, or verification found differences
  ${ExitCode.usage}    bad flags, files or kubeconfig (nothing was changed)
  ${ExitCode.preflight}    preflight failed: the cluster is not safe to act on (or is not Harvester)
  ${ExitCode.unreachable}    the cluster (or a BMC/UPS) could not be reached
  ${ExitCode.needsOperator}    stopped at a gate that needs a decision; \`fallow resume\` goes on
  ${ExitCode.interrupted}  interrupted (Ctrl-C) after the current act; \`fallow resume\` goes on
See docs/exit-codes.md.`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command(ctx.name)
    .description('Shut a whole Harvester HCI cluster down safely and bring it back exactly as it was')
    .version(fallowVersion(), '--version')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, merged like kubectl, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: current-context)')
    .option('--request-timeout <duration>', 'per-request timeout: 0 (none), seconds, or 30s / 2m', '30s')
    .option('--state-dir <dir>', 'run state: journals, locks, bundles, reports (default: $FALLOW_STATE_DIR or ~/.local/state/fallow)')
    .addOption(new Option('-v, --verbose', 'more diagnostics on stderr (-vv: every API request)').argParser((_v: string, prev: number) => prev + 1).default(0))
    .option('--no-color', 'no colours in output (also NO_COLOR)')
    .option('--qps <n>', 'client-side API rate limit, requests per second (0 = none)', '20')
    .option('--burst <n>', 'API requests allowed at once above --qps', '40')
    .showSuggestionAfterError()
    .addHelpText('after', exitCodeHelp)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
      outputError: (s, write) => write(`${ctx.name}: ${s.replace(/^error: /, '')}`),
    });
  for (const m of commands) m.register(program, ctx);
  // Commands built with `new Command()` and added with addCommand() do not inherit the
  // output settings and exit override the way .command() children do: copy them down.
  program.commands.forEach(function inherit(c: Command) {
    if (c.parent) c.copyInheritedSettings(c.parent);
    c.commands.forEach(inherit);
  });
  return program;
}

function defaultIO(io: Partial<CliIO> = {}): CliIO {
  if (!io.stdout) quietOnClosedPipe(process.stdout);
  return { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env };
}

/** `fallow plan | head`: a reader that goes away is not an error worth a stack trace. */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** Runs the CLI with node-style argv ([node, script, ...args]); resolves with the exit code. */
export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const ctx = new CliContext(defaultIO(opts.io), opts.asKubectlPlugin ? 'kubectl fallow' : 'fallow');
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ctx.exitCode;
  } catch (err) {
    return handleError(ctx, err, argv.includes('-v') || argv.some((a) => /^-v+$/.test(a)) || argv.includes('--verbose'));
  }
}

function handleError(ctx: CliContext, err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
    // Commander has printed its message already.
    return ExitCode.usage;
  }
  if (err instanceof FallowError) {
    ctx.io.stderr.write(`${ctx.name}: ${formatError(err)}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  ctx.io.stderr.write(`${ctx.name}: internal error: ${e.message}. Please report it (rerun with -v for details)\n`);
  if (verbose && e.stack) ctx.io.stderr.write(`${e.stack}\n`);
  return ExitCode.failed;
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

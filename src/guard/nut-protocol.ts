// The NUT network protocol as pure functions: tokenizing reply lines, quoting arguments,
// parsing VAR replies and mapping `ERR <CODE>` to fallow's error kinds. No sockets here
// (nut-client.ts owns the connection), so every rule is unit-testable.
//
// Reference: NUT's "Network protocol information" (docs/net-protocol.txt) and
// server/neterr.h for the error codes.
import { ExitCode, FallowError } from '../common/errors.js';

/** Splits a reply line into words; "double quoted" words may hold spaces, `\"` and `\\`. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    let word = '';
    if (ch === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i] as string;
        if (c === '\\' && i + 1 < line.length) {
          word += line[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          word += c;
          i++;
        }
      }
      if (!closed) throw new NutProtocolError(`unterminated quote in reply "${line}"`);
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    out.push(word);
  }
  return out;
}

/** Quotes an argument for a request line when it needs it (spaces, quotes, empty). */
export function quoteArg(arg: string): string {
  if (/[\r\n]/.test(arg)) throw new NutProtocolError('a NUT request argument cannot contain a line break');
  if (arg !== '' && !/[\s"\\]/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function requestLine(...words: string[]): string {
  return words.map(quoteArg).join(' ');
}

/** `VAR <ups> <name> "<value>"` → [name, value]; anything else is a protocol error. */
export function parseVarLine(line: string, ups: string): [string, string] {
  const words = tokenize(line);
  if (words.length !== 4 || words[0] !== 'VAR' || words[1] !== ups) {
    throw new NutProtocolError(`expected "VAR ${ups} <name> <value>", got "${line}"`);
  }
  return [words[2] as string, words[3] as string];
}

/** The `ERR <CODE> [extra]` code of a reply line, or undefined for any other line. */
export function errCode(line: string): string | undefined {
  const m = /^ERR\s+(\S+)/.exec(line);
  return m ? m[1] : undefined;
}

/** A reply the client did not expect (bad framing, wrong UPS name): a bug or not a upsd. */
export class NutProtocolError extends FallowError {
  readonly exitCode = ExitCode.unreachable;
  constructor(detail: string) {
    super(`UPS server spoke an unexpected protocol: ${detail}`, 'Check that the address points at a NUT upsd (port 3493 by default)');
  }
}

/** What the request was about, so an error can name its object. */
export interface NutErrContext {
  /** "ups1@127.0.0.1:3493" */
  target: string;
  /** The request verb ("LOGIN", "GET VAR battery.runtime"); never the PASSWORD argument. */
  request: string;
}

interface ErrSpec {
  exit: ExitCode;
  what: (c: NutErrContext) => string;
  hint: string;
}

const credentialHint =
  'Check the user in upsd.users (it needs "upsmon primary" or "upsmon secondary") and the password file';
const specs: Record<string, ErrSpec> = {
  'ACCESS-DENIED': { exit: ExitCode.usage, what: (c) => `UPS server refused the user name or password for ${c.target}`, hint: credentialHint },
  'INVALID-USERNAME': { exit: ExitCode.usage, what: (c) => `UPS server rejected the user name for ${c.target}`, hint: credentialHint },
  'INVALID-PASSWORD': { exit: ExitCode.usage, what: (c) => `UPS server rejected the password for ${c.target}`, hint: credentialHint },
  'USERNAME-REQUIRED': { exit: ExitCode.usage, what: (c) => `UPS server wants a user name for ${c.target}`, hint: 'Set the guard\'s NUT user and password file' },
  'PASSWORD-REQUIRED': { exit: ExitCode.usage, what: (c) => `UPS server wants a password for ${c.target}`, hint: 'Set the guard\'s NUT password file or environment variable' },
  'UNKNOWN-UPS': { exit: ExitCode.usage, what: (c) => `UPS server does not know the UPS in ${c.target}`, hint: 'Use a name from `upsc -l <host>` (the [section] in ups.conf)' },
  'DATA-STALE': { exit: ExitCode.unreachable, what: (c) => `UPS data is stale on ${c.target} (its driver stopped updating)`, hint: 'Check the UPS driver and its cable; upsd keeps answering but the UPS does not' },
  'DRIVER-NOT-CONNECTED': { exit: ExitCode.unreachable, what: (c) => `UPS driver is not running for ${c.target}`, hint: 'Start the driver (upsdrvctl start) and check the UPS connection' },
  'VAR-NOT-SUPPORTED': { exit: ExitCode.failed, what: (c) => `UPS ${c.target} does not report ${c.request.replace(/^GET VAR /, '')}`, hint: 'List what it reports with `upsc <ups>@<host>`' },
  'ALREADY-LOGGED-IN': { exit: ExitCode.failed, what: (c) => `UPS server says this connection already logged in to ${c.target}`, hint: 'This is a guard bug; restart the guard' },
  'FEATURE-NOT-CONFIGURED': { exit: ExitCode.usage, what: (c) => `UPS server ${c.target} has no TLS configured`, hint: 'Configure CERTFILE in upsd.conf or turn TLS off in the guard' },
};

/** An `ERR <CODE>` answer, mapped to the exit code it deserves. `code` stays machine-readable. */
export class NutError extends FallowError {
  readonly exitCode: ExitCode;
  constructor(
    readonly code: string,
    readonly context: NutErrContext,
  ) {
    const spec = specs[code];
    super(
      spec ? spec.what(context) : `UPS server ${context.target} answered ERR ${code} to ${context.request}`,
      spec ? spec.hint : 'See the NUT protocol documentation for this error code',
    );
    this.exitCode = spec ? spec.exit : ExitCode.failed;
  }
  /** True when the credentials (or the UPS name) are wrong: retrying will not help. */
  get isConfiguration(): boolean {
    return this.exitCode === ExitCode.usage;
  }
}

// A client for NUT's upsd: parses "ups@host:port", logs in (USERNAME, PASSWORD, LOGIN),
// reads variables (GET VAR, LIST VAR), logs out, and reconnects with exponential backoff
// after the connection drops. Hand-written on node:net: the npm NUT clients (node-nut
// 1.0.x) are callback-style, untyped and have no timeouts, and the protocol is ~6 verbs.
//
// I/O timeouts run on wall time (they are about the peer); the reconnect backoff runs on
// the injected Clock (it is about scheduling, like the monitor's poll interval).
import type { Clock } from '../common/clock.js';
import { UnreachableError, UsageError } from '../common/errors.js';
import type { NutCredentials } from './credentials.js';
import { NutConnection } from './nut-connection.js';
import { NutError, NutProtocolError, parseVarLine, requestLine } from './nut-protocol.js';

export const defaultNutPort = 3493;

export interface UpsTarget {
  ups: string;
  host: string;
  port: number;
}

/** "ups1@127.0.0.1:13493", "ups1@host" (port 3493), "ups1@[::1]:3493", "ups1" (localhost). */
export function parseUpsTarget(spec: string): UpsTarget {
  const m = /^([^@\s]+)(?:@(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d+))?)?$/.exec(spec.trim());
  if (!m) {
    throw new UsageError(`Not a UPS address: "${spec}"`, 'Write it as <ups>@<host>[:<port>], e.g. ups1@127.0.0.1:3493');
  }
  const [, ups, rawHost, rawPort] = m;
  const port = rawPort === undefined ? defaultNutPort : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`UPS address "${spec}" has port ${rawPort}, outside 1–65535`, 'Use the port from LISTEN in upsd.conf (3493 by default)');
  }
  const host = rawHost === undefined ? 'localhost' : rawHost.replace(/^\[(.*)\]$/, '$1');
  return { ups: ups as string, host, port };
}

export function formatUpsTarget(t: UpsTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.ups}@${host}:${t.port}`;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface NutClientOptions {
  target: UpsTarget;
  /** Without credentials the client reads anonymously and does not LOGIN. */
  credentials?: NutCredentials;
  clock: Clock;
  /** Wall ms to wait for a connection or a reply (default 5000). */
  timeoutMs?: number;
  /** Delay between failed reconnects, doubling up to maxMs (modelled ms). */
  backoff?: Backoff;
}

export class NutClient {
  readonly label: string;
  readonly #opts: NutClientOptions;
  readonly #timeoutMs: number;
  readonly #backoff: Backoff;
  #conn: NutConnection | undefined;
  #connecting: Promise<NutConnection> | undefined;
  #delayMs = 0;
  #nextAttemptAt = 0;
  #lastError: Error | undefined;

  constructor(opts: NutClientOptions) {
    this.#opts = opts;
    this.label = formatUpsTarget(opts.target);
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#backoff = opts.backoff ?? { initialMs: 1000, maxMs: 10_000 };
  }

  /**
   * Connects and authenticates now, ignoring backoff: the guard calls it at start so wrong
   * credentials, an unknown UPS or an unreachable upsd fail before anything else.
   */
  async open(signal?: AbortSignal): Promise<void> {
    this.#nextAttemptAt = 0;
    await this.#session(signal);
  }

  /** One variable's value; NutError VAR-NOT-SUPPORTED when the UPS does not report it. */
  async getVar(name: string, signal?: AbortSignal): Promise<string> {
    const ups = this.#opts.target.ups;
    const line = await this.#call(signal, (c) => c.request(requestLine('GET', 'VAR', ups, name), `GET VAR ${name}`, this.#timeoutMs));
    const [got, value] = parseVarLine(line, ups);
    if (got !== name) throw new NutProtocolError(`asked for ${name}, got ${got}`);
    return value;
  }

  /** Every variable the UPS reports, in one round trip. */
  async listVars(signal?: AbortSignal): Promise<Map<string, string>> {
    const ups = this.#opts.target.ups;
    const lines = await this.#call(signal, (c) => c.requestList(requestLine('LIST', 'VAR', ups), 'LIST VAR', this.#timeoutMs));
    return new Map(lines.map((l) => parseVarLine(l, ups)));
  }

  /** Logs out politely (upsd counts logged-in clients) and closes the connection. */
  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    if (!conn || conn.closed) return;
    try {
      await conn.request('LOGOUT', 'LOGOUT', this.#timeoutMs);
    } catch {
      // Best effort: the connection is going away either way.
    } finally {
      conn.close();
    }
  }

  async #call<T>(signal: AbortSignal | undefined, fn: (c: NutConnection) => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    const conn = await this.#session(signal);
    try {
      return await fn(conn);
    } catch (err) {
      // A NutError is an answer on a healthy connection; anything else broke the stream.
      if (!(err instanceof NutError) && conn.closed) this.#conn = undefined;
      throw err;
    }
  }

  async #session(signal?: AbortSignal): Promise<NutConnection> {
    if (this.#conn && !this.#conn.closed) return this.#conn;
    this.#conn = undefined;
    const now = this.#opts.clock.now();
    if (now < this.#nextAttemptAt) {
      const waitS = Math.ceil((this.#nextAttemptAt - now) / 1000);
      throw new UnreachableError(
        `UPS server for ${this.label} unreachable, next reconnect in ${waitS} s (last error: ${this.#lastError?.message ?? 'unknown'})`,
        'Check that upsd runs and answers on that address',
      );
    }
    this.#connecting ??= this.#connect(signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(signal?: AbortSignal): Promise<NutConnection> {
    const { target, credentials } = this.#opts;
    let conn: NutConnection | undefined;
    try {
      conn = await NutConnection.connect(target, this.label, this.#timeoutMs, signal);
      if (credentials) {
        await conn.request(requestLine('USERNAME', credentials.username), 'USERNAME', this.#timeoutMs);
        await conn.request(requestLine('PASSWORD', credentials.password.reveal()), 'PASSWORD', this.#timeoutMs);
        // LOGIN is where upsd checks the user and password (USERNAME/PASSWORD always say OK).
        await conn.request(requestLine('LOGIN', target.ups), 'LOGIN', this.#timeoutMs);
      } else {
        // Anonymous: a read proves the UPS name is known.
        await conn.request(requestLine('GET', 'VAR', target.ups, 'ups.status'), 'GET VAR ups.status', this.#timeoutMs);
      }
    } catch (err) {
      conn?.close();
      this.#delayMs = this.#delayMs === 0 ? this.#backoff.initialMs : Math.min(this.#backoff.maxMs, this.#delayMs * 2);
      this.#nextAttemptAt = this.#opts.clock.now() + this.#delayMs;
      this.#lastError = err as Error;
      throw err;
    }
    this.#delayMs = 0;
    this.#nextAttemptAt = 0;
    this.#lastError = undefined;
    this.#conn = conn;
    return conn;
  }
}

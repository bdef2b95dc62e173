// One TCP connection to a NUT upsd: connect with a timeout, send a request line, read its
// reply (one line, or a BEGIN LIST … END LIST block). Requests are serialized; a timeout or
// a broken stream destroys the connection, because the reply framing is lost with it.
// Reconnecting, backoff and authentication live one level up in nut-client.ts.
import { Socket, createConnection } from 'node:net';
import { UnreachableError } from '../common/errors.js';
import { NutError, NutProtocolError, errCode } from './nut-protocol.js';

const maxLineBytes = 64 * 1024;

export interface Endpoint {
  host: string;
  port: number;
}

export class NutConnection {
  #buf = '';
  #lines: string[] = [];
  #waiter: { resolve: (l: string) => void; reject: (e: Error) => void } | undefined;
  #closedWith: Error | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly socket: Socket,
    readonly label: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(unreachable(label, `connection failed (${errnoOf(err)})`)));
    socket.on('close', () => this.#fail(unreachable(label, 'the server closed the connection')));
  }

  /** Opens a connection; `label` ("ups1@host:port") names it in errors. */
  static connect(ep: Endpoint, label: string, timeoutMs: number, signal?: AbortSignal): Promise<NutConnection> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const socket = createConnection({ host: ep.host, port: ep.port });
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('connect', onConnect);
        socket.removeListener('error', onError);
        if (err) {
          socket.destroy();
          reject(err);
        } else {
          resolve(new NutConnection(socket, label));
        }
      };
      const onConnect = () => done();
      const onError = (err: Error) => done(unreachable(label, `cannot connect to ${ep.host}:${ep.port} (${errnoOf(err)})`));
      const onAbort = () => done(signal?.reason as Error);
      const timer = setTimeout(() => done(unreachable(label, `no answer from ${ep.host}:${ep.port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get closed(): boolean {
    return this.#closedWith !== undefined;
  }

  /**
   * Sends one request and returns its one-line reply. `ERR` replies throw NutError.
   * `describe` names the request in errors and must not contain a secret.
   */
  request(line: string, describe: string, timeoutMs: number): Promise<string> {
    return this.#serial(async () => {
      this.#send(line);
      const reply = await this.#readLine(timeoutMs, describe);
      this.#throwIfErr(reply, describe);
      return reply;
    });
  }

  /** Sends a LIST request and returns the lines between BEGIN and END (exclusive). */
  requestList(line: string, describe: string, timeoutMs: number): Promise<string[]> {
    return this.#serial(async () => {
      this.#send(line);
      const first = await this.#readLine(timeoutMs, describe);
      this.#throwIfErr(first, describe);
      if (first !== `BEGIN ${line}`) throw this.#desync(new NutProtocolError(`expected "BEGIN ${line}", got "${first}"`));
      const body: string[] = [];
      for (;;) {
        const l = await this.#readLine(timeoutMs, describe);
        if (l === `END ${line}`) return body;
        body.push(l);
      }
    });
  }

  close(): void {
    this.#fail(unreachable(this.label, 'connection closed by the guard'));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #send(line: string): void {
    if (this.#closedWith) throw this.#closedWith;
    this.socket.write(`${line}\n`);
  }

  #throwIfErr(reply: string, describe: string): void {
    const code = errCode(reply);
    if (code !== undefined) throw new NutError(code, { target: this.label, request: describe });
  }

  #readLine(timeoutMs: number, describe: string): Promise<string> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(this.#desync(unreachable(this.label, `no reply to ${describe} within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.#waiter = {
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl).replace(/\r$/, '');
      this.#buf = this.#buf.slice(nl + 1);
      const w = this.#waiter;
      if (w) {
        this.#waiter = undefined;
        w.resolve(line);
      } else {
        this.#lines.push(line);
      }
    }
    if (this.#buf.length > maxLineBytes) this.#fail(new NutProtocolError(`a reply line longer than ${maxLineBytes} bytes`));
  }

  /** After a timeout or a framing error later replies cannot be matched: drop the socket. */
  #desync(err: Error): Error {
    this.#fail(err);
    return err;
  }

  #fail(err: Error): void {
    if (this.#closedWith) return;
    this.#closedWith = err;
    this.socket.destroy();
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(err);
  }
}

function unreachable(label: string, detail: string): UnreachableError {
  return new UnreachableError(`UPS server for ${label} unreachable: ${detail}`, 'Check that upsd runs and listens on that address (LISTEN in upsd.conf)');
}

function errnoOf(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message;
}

// NutClient against a scripted loopback server: the cases a real upsd will not produce on
// demand (silence, garbage, a dropped connection) plus login order and reconnect backoff.
// The same client against a real upsd is in test/peers/guard/.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { UnreachableError } from '../../src/common/errors.js';
import { Secret } from '../../src/guard/credentials.js';
import { NutClient } from '../../src/guard/nut-client.js';
import { NutError, NutProtocolError } from '../../src/guard/nut-protocol.js';

type Reply = string[] | 'silence' | 'hangup';

/** A loopback server answering each request line through `answer`; records what it got. */
async function scripted(answer: (line: string) => Reply): Promise<{ server: Server; port: number; got: string[]; sockets: Socket[] }> {
  const got: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((sock) => {
    sockets.push(sock);
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        got.push(line);
        const r = answer(line);
        if (r === 'hangup') sock.destroy();
        else if (r !== 'silence') sock.write(r.map((l) => `${l}\n`).join(''));
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  servers.push(server);
  return { server, port: addr.port, got, sockets };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const upsd = (line: string): Reply => {
  if (line.startsWith('USERNAME') || line.startsWith('PASSWORD')) return ['OK'];
  if (line === 'LOGIN ups1') return ['OK'];
  if (line === 'GET VAR ups1 ups.status') return ['VAR ups1 ups.status "OB DISCHRG"'];
  if (line === 'GET VAR ups1 battery.foo') return ['ERR VAR-NOT-SUPPORTED'];
  if (line === 'LIST VAR ups1') return ['BEGIN LIST VAR ups1', 'VAR ups1 battery.charge "90"', 'VAR ups1 ups.status "OB"', 'END LIST VAR ups1'];
  if (line === 'LOGOUT') return ['OK Goodbye'];
  return ['ERR UNKNOWN-COMMAND'];
};

const clock = new ScaledClock(1);
const creds = { username: 'monuser', password: new Secret('pa ss') };

describe('NutClient', () => {
  it('logs in with USERNAME, PASSWORD, LOGIN; reads; logs out', async () => {
    const srv = await scripted(upsd);
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, credentials: creds, clock });
    await c.open();
    expect(await c.getVar('ups.status')).toBe('OB DISCHRG');
    expect(await c.listVars()).toEqual(new Map([['battery.charge', '90'], ['ups.status', 'OB']]));
    await expect(c.getVar('battery.foo')).rejects.toMatchObject({ code: 'VAR-NOT-SUPPORTED' });
    // An ERR answer leaves the connection usable.
    expect(await c.getVar('ups.status')).toBe('OB DISCHRG');
    await c.close();
    expect(srv.got).toEqual([
      'USERNAME monuser',
      'PASSWORD "pa ss"',
      'LOGIN ups1',
      'GET VAR ups1 ups.status',
      'LIST VAR ups1',
      'GET VAR ups1 battery.foo',
      'GET VAR ups1 ups.status',
      'LOGOUT',
    ]);
  });

  it('maps a refused LOGIN to a configuration error that never shows the password', async () => {
    const srv = await scripted((l) => (l.startsWith('LOGIN') ? ['ERR ACCESS-DENIED'] : upsd(l)));
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, credentials: creds, clock });
    const err = await c.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NutError);
    expect((err as NutError).isConfiguration).toBe(true);
    expect(JSON.stringify(err) + String(err) + (err as Error).message).not.toContain('pa ss');
  });

  it('anonymous: checks the UPS name with a read instead of LOGIN', async () => {
    const srv = await scripted(upsd);
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, clock });
    await c.open();
    expect(srv.got).toEqual(['GET VAR ups1 ups.status']);
    await c.close();
  });

  it('times out on a silent server and reports it as unreachable', async () => {
    const srv = await scripted((l) => (l.startsWith('GET') ? 'silence' : upsd(l)));
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, clock, credentials: creds, timeoutMs: 100 });
    await c.open();
    const err = await c.getVar('ups.status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/no reply to GET VAR ups\.status within 100 ms/);
  });

  it('treats a reply that is not the protocol as a protocol error', async () => {
    const srv = await scripted((l) => (l === 'LIST VAR ups1' ? ['HTTP/1.1 400 Bad Request'] : upsd(l)));
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, clock });
    await c.open();
    await expect(c.listVars()).rejects.toBeInstanceOf(NutProtocolError);
  });

  it('reconnects after a dropped connection, with backoff between failed attempts', async () => {
    let hangups = 1;
    const srv = await scripted((l) => (l.startsWith('LIST') && hangups-- > 0 ? 'hangup' : upsd(l)));
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port: srv.port }, credentials: creds, clock, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await c.open();
    await expect(c.listVars()).rejects.toBeInstanceOf(UnreachableError);
    // The next call reconnects and logs in again.
    expect((await c.listVars()).get('ups.status')).toBe('OB');
    expect(srv.got.filter((l) => l === 'LOGIN ups1')).toHaveLength(2);

    // Now the server goes away: one failed attempt, then calls fail fast until the backoff ends.
    for (const s of srv.sockets) s.destroy();
    await new Promise((r) => srv.server.close(r));
    // The old connection may or may not have seen the close yet: at most one call fails on it.
    let err = await c.listVars().catch((e: unknown) => e as Error);
    if (/closed the connection/.test(String((err as Error).message))) err = await c.listVars().catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    await expect(c.listVars()).rejects.toThrow(/next reconnect in 60 s \(last error: .*ECONNREFUSED/);
    // open() ignores the backoff (it is the explicit start-up check).
    await expect(c.open()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('fails fast with ECONNREFUSED when nothing listens', async () => {
    const srv = await scripted(upsd);
    const port = srv.port;
    await new Promise((r) => srv.server.close(r));
    servers.splice(0);
    const c = new NutClient({ target: { ups: 'ups1', host: '127.0.0.1', port }, clock });
    const err = await c.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(`ups1@127.0.0.1:${port} unreachable`);
  });
});

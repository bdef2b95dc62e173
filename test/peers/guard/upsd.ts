// A real Network UPS Tools server for peer tests: dummy-ups + upsd from Debian's
// nut-server, in a temp dir, listening on 127.0.0.1 at a free port. The test plays an
// outage by rewriting the driver's .dev file (dummy-once re-reads it when its mtime
// changes; pollinterval 1 makes that ~1 s). Processes are ours: stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const nutBin = '/lib/nut';
export const upsName = 'ups1';
export const upsUser = 'monuser';
export const upsPassword = 'pw with space';

export interface Upsd {
  dir: string;
  port: number;
  /** "ups1@127.0.0.1:<port>" */
  target: string;
  passwordFile: string;
  /** Rewrites the .dev file atomically: what the driver serves within ~1 s. */
  setUps(status: string, runtimeS: number, chargePct: number): Promise<void>;
  /** Back to OL, 3600 s, 100 %, and waits until upsd serves it (between tests). */
  resetUps(): Promise<void>;
  startUpsd(): Promise<void>;
  stopUpsd(): Promise<void>;
  startDriver(): Promise<void>;
  stopDriver(): Promise<void>;
  close(): Promise<void>;
}

export function requireNut(): void {
  for (const b of ['upsd', 'dummy-ups']) {
    if (!existsSync(join(nutBin, b))) throw new Error(`${nutBin}/${b} is missing: install the Debian packages nut-server and nut-client`);
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const addr = srv.address();
  await new Promise((res) => srv.close(res));
  if (!addr || typeof addr === 'string') throw new Error('no free port');
  return addr.port;
}

export async function startUpsd(): Promise<Upsd> {
  requireNut();
  const dir = await mkdtemp(join(tmpdir(), 'fallow-upsd-'));
  const port = await freePort();
  const dev = join(dir, `${upsName}.dev`);
  const passwordFile = join(dir, 'password');
  const files: Record<string, string> = {
    'ups.conf': `[${upsName}]\n  driver = dummy-ups\n  port = ${dev}\n  pollinterval = 1\n  desc = "fallow guard test"\n`,
    'upsd.conf': `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${dir}\nMAXAGE 5\n`,
    'upsd.users': `[${upsUser}]\n  password = "${upsPassword}"\n  upsmon secondary\n`,
    'nut.conf': 'MODE=standalone\n',
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o640);
  }
  await writeFile(passwordFile, `${upsPassword}\n`, { mode: 0o600 });
  const env = { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: dir };
  const user = userInfo().username;
  let driver: ChildProcess | undefined;
  let upsd: ChildProcess | undefined;

  // dummy-once re-reads the file when its mtime changes, compared in whole seconds: give
  // every write a later second than the last, or two writes in one second look like one.
  let mtimeS = 0;
  const setUps = async (status: string, runtimeS: number, chargePct: number) => {
    await writeFile(`${dev}.tmp`, `ups.status: ${status}\nbattery.charge: ${chargePct}\nbattery.runtime: ${runtimeS}\n`);
    mtimeS = Math.max(Math.floor(Date.now() / 1000), mtimeS + 1);
    await utimes(`${dev}.tmp`, mtimeS, mtimeS);
    await rename(`${dev}.tmp`, dev);
  };
  const spawnNut = (bin: string, args: string[]) => {
    const p = spawn(join(nutBin, bin), args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.on('exit', (code) => {
      if (code && code !== 0 && !stopping.has(p)) process.stderr.write(`${bin} exited ${code}: ${err}\n`);
    });
    return p;
  };
  const stopping = new Set<ChildProcess>();
  const stop = async (p: ChildProcess | undefined) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    stopping.add(p);
    const gone = new Promise((res) => p.once('exit', res));
    p.kill('SIGTERM');
    await gone;
  };

  const h: Upsd = {
    dir,
    port,
    target: `${upsName}@127.0.0.1:${port}`,
    passwordFile,
    setUps,
    async resetUps() {
      await setUps('OL', 3600, 100);
      await waitFor('upsd serving OL 3600 s', async () => (await read(port, 'battery.runtime')) === '3600' && (await read(port, 'ups.status')) === 'OL');
    },
    async startDriver() {
      driver = spawnNut('dummy-ups', ['-a', upsName, '-u', user, '-F']);
      await waitFor(`dummy-ups socket in ${dir}`, () => existsSync(join(dir, `dummy-ups-${upsName}`)));
    },
    async stopDriver() {
      await stop(driver);
    },
    async startUpsd() {
      upsd = spawnNut('upsd', ['-u', user, '-F']);
      // dummy-ups says WAIT until it has read its file.
      await waitFor(`upsd on 127.0.0.1:${port} serving ${upsName}`, async () => ![undefined, 'WAIT'].includes(await read(port, 'ups.status')));
    },
    async stopUpsd() {
      await stop(upsd);
    },
    async close() {
      await stop(upsd);
      await stop(driver);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await setUps('OL', 3600, 100);
  await h.startDriver();
  await h.startUpsd();
  await h.resetUps();
  return h;
}

/** One anonymous GET VAR; undefined when upsd does not answer it with a value. */
function read(port: number, name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (v: string | undefined) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(undefined));
    s.on('error', () => done(undefined));
    s.on('connect', () => s.write(`GET VAR ${upsName} ${name}\n`));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) done(/^VAR \S+ \S+ "(.*)"/.exec(buf)?.[1]);
    });
  });
}

/** Polls `cond` (sync or async) every 100 ms wall; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

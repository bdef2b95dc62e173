// Parsers for what the real commands print (iproute2's JSON, getent, timedatectl, chronyc,
// curl's -w '%{http_code}'), tolerant of fields a version leaves out, strict about what a
// verdict rests on: an output that cannot be read is an error, never a pass.

export interface IfaceInfo {
  name: string;
  /** iproute2 operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, … */
  state: string;
  /** "10.0.0.11/24" */
  addresses: string[];
}

export class ParseError extends Error {}

function json<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ParseError(`${what} printed no JSON (${text.trim().slice(0, 80) || 'nothing'})`);
  }
}

/** `ip -j addr show` */
export function parseIpAddr(text: string): IfaceInfo[] {
  const rows = json<{ ifname?: string; operstate?: string; addr_info?: { family?: string; local?: string; prefixlen?: number }[] }[]>(text, 'ip -j addr');
  if (!Array.isArray(rows)) throw new ParseError('ip -j addr did not print a list');
  return rows
    .filter((r) => r.ifname)
    .map((r) => ({
      name: r.ifname!,
      state: r.operstate ?? 'UNKNOWN',
      addresses: (r.addr_info ?? []).filter((a) => a.local && (a.family === 'inet' || a.family === 'inet6')).map((a) => `${a.local}/${a.prefixlen ?? ''}`),
    }));
}

/** `ip -j link show` */
export function parseIpLink(text: string): { name: string; state: string }[] {
  const rows = json<{ ifname?: string; operstate?: string }[]>(text, 'ip -j link');
  if (!Array.isArray(rows)) throw new ParseError('ip -j link did not print a list');
  return rows.filter((r) => r.ifname).map((r) => ({ name: r.ifname!, state: r.operstate ?? 'UNKNOWN' }));
}

/** `ip -j route show default`: the gateways, lowest metric first. */
export function parseDefaultRoutes(text: string): { gateway: string; dev?: string }[] {
  if (text.trim() === '') return [];
  const rows = json<{ dst?: string; gateway?: string; dev?: string; metric?: number }[]>(text, 'ip -j route');
  if (!Array.isArray(rows)) throw new ParseError('ip -j route did not print a list');
  return rows
    .filter((r) => r.gateway && (r.dst === undefined || r.dst === 'default'))
    .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))
    .map((r) => ({ gateway: r.gateway!, ...(r.dev ? { dev: r.dev } : {}) }));
}

/** `getent hosts <name>`: "10.0.0.5   rancher.example.com" lines → addresses. */
export function parseGetent(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((a) => a !== '');
}

/** "+85us", "-1.301ms", "2.5s", "+312.5s", "1min 3s" → ms. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  const sign = t.startsWith('-') ? -1 : 1;
  let total = 0;
  let any = false;
  for (const m of t.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|h)\b/g)) {
    any = true;
    const v = Number(m[1]);
    total += m[2] === 'us' || m[2] === 'µs' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : m[2] === 'min' ? v * 60_000 : v * 3_600_000;
  }
  return any ? sign * total : undefined;
}

/** `timedatectl timesync-status`: the "Offset:" line, in ms. */
export function parseTimesyncOffset(text: string): number | undefined {
  const line = text.split('\n').find((l) => /^\s*Offset:/.test(l));
  return line ? parseDurationMs(line.replace(/^\s*Offset:/, '')) : undefined;
}

export interface ChronyTracking {
  synced: boolean;
  /** How far the system clock is from NTP time (positive: fast), ms. */
  offsetMs?: number;
  reference?: string;
}

/** `chronyc -n tracking` */
export function parseChronyTracking(text: string): ChronyTracking {
  const field = (name: string) => text.split('\n').find((l) => l.startsWith(name))?.split(':').slice(1).join(':').trim();
  const leap = field('Leap status');
  if (leap === undefined) throw new ParseError('chronyc tracking printed no "Leap status"');
  const sys = field('System time');
  let offsetMs: number | undefined;
  const m = sys ? /^([\d.]+) seconds (fast|slow) of NTP time/.exec(sys) : null;
  if (m) offsetMs = Number(m[1]) * 1000 * (m[2] === 'fast' ? 1 : -1);
  const ref = field('Reference ID');
  return { synced: leap !== 'Not synchronised', ...(offsetMs !== undefined ? { offsetMs } : {}), ...(ref ? { reference: ref } : {}) };
}

/** curl -w '%{http_code}' with its exit code: any HTTP status means the server answered. */
export function parseCurl(stdout: string, exitCode: number | null, stderr: string): { reachable: boolean; detail: string } {
  const code = stdout.trim();
  if (/^[1-5]\d\d$/.test(code)) return { reachable: true, detail: `answers HTTP ${code}` };
  const reasons: Record<number, string> = {
    5: 'the proxy name does not resolve',
    6: 'the name does not resolve',
    7: 'connection refused or no route',
    28: 'no answer within 5 s',
    35: 'TLS handshake failed',
    52: 'empty reply',
    56: 'connection reset',
  };
  const why = (exitCode !== null && reasons[exitCode]) || stderr.trim().replace(/^curl: \(\d+\)\s*/, '') || `curl exit ${exitCode ?? 'signal'}`;
  return { reachable: false, detail: why };
}

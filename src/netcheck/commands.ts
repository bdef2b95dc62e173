// The exact commands the network checks run on a node, in one place: the checks build them
// here and the twin's node model recognises them here. All are read-only and need no root.
// Values come from recorded cluster settings, so each is validated before it reaches a
// shell: host names and IPs by pattern, URLs as http(s) without quotes.
import { isIP } from 'node:net';

export const NetCommands = {
  ipAddr: 'ip -j addr show',
  ipLink: 'ip -j link show',
  defaultRoute: 'ip -j route show default',
  /** systemd-timesyncd (what Harvester configures from its ntp-servers setting). */
  ntpSynchronized: 'timedatectl show -p NTPSynchronized --value',
  timesyncStatus: 'timedatectl timesync-status',
  /** chrony, on nodes that run it instead. */
  chronyTracking: 'chronyc -n tracking',
  ping: (ip: string) => `ping -c 3 -W 2 -q ${ip}`,
  getent: (name: string) => `getent hosts ${name}`,
  /** Reachability only: any HTTP status counts; -k because a TLS problem is not a network one. */
  curl: (url: string, proxy?: string) => `curl -sS -k -o /dev/null -w '%{http_code}' --max-time 5 ${proxy ? `--proxy '${proxy}'` : "--noproxy '*'"} '${url}'`,
} as const;

export function safeHost(name: string): boolean {
  return isIP(name) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(name);
}

export function safeIp(ip: string): boolean {
  return isIP(ip) !== 0;
}

export function safeUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !/['"\\\s`$]/.test(url) && safeHost(u.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** What `ping -c 3 -W 2 -q <ip>` is, for the twin: the IP it pings. */
export function parsePingCommand(command: string): string | undefined {
  return /^ping -c 3 -W 2 -q (\S+)$/.exec(command)?.[1];
}

export function parseGetentCommand(command: string): string | undefined {
  return /^getent hosts (\S+)$/.exec(command)?.[1];
}

export function parseCurlCommand(command: string): { url: string; proxy?: string } | undefined {
  const m = /^curl -sS -k -o \/dev\/null -w '%\{http_code\}' --max-time 5 (?:--proxy '([^']+)'|--noproxy '\*') '([^']+)'$/.exec(command);
  if (!m) return undefined;
  return { url: m[2]!, ...(m[1] ? { proxy: m[1] } : {}) };
}

// The parsers against what the real commands print (iproute2 6.x JSON, glibc getent,
// systemd 254 timedatectl, chrony 4.x, curl 8.x), including the shapes that must fail.
import { describe, expect, it } from 'vitest';
import { NetCommands, parseCurlCommand, safeHost, safeUrl } from '../../src/netcheck/commands.js';
import { ParseError, parseChronyTracking, parseCurl, parseDefaultRoutes, parseDurationMs, parseGetent, parseIpAddr, parseIpLink, parseTimesyncOffset } from '../../src/netcheck/parse.js';

const ipAddr = `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":2,"ifname":"eno1","flags":["BROADCAST","MULTICAST","SLAVE","UP","LOWER_UP"],"mtu":1500,"master":"mgmt-bo","operstate":"UP","addr_info":[]},{"ifindex":5,"ifname":"mgmt-br","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","addr_info":[{"family":"inet","local":"192.168.122.141","prefixlen":24,"broadcast":"192.168.122.255","scope":"global","label":"mgmt-br"}]}]`;

describe('iproute2 JSON', () => {
  it('reads interfaces and their addresses', () => {
    expect(parseIpAddr(ipAddr)).toEqual([
      { name: 'lo', state: 'UNKNOWN', addresses: ['127.0.0.1/8', '::1/128'] },
      { name: 'eno1', state: 'UP', addresses: [] },
      { name: 'mgmt-br', state: 'UP', addresses: ['192.168.122.141/24'] },
    ]);
    expect(parseIpLink(ipAddr).map((l) => `${l.name}:${l.state}`)).toEqual(['lo:UNKNOWN', 'eno1:UP', 'mgmt-br:UP']);
  });

  it('reads the default route with the lowest metric first, and none from empty output', () => {
    const routes = `[{"dst":"default","gateway":"192.168.122.1","dev":"mgmt-br","protocol":"dhcp","metric":100,"flags":[]},{"dst":"default","gateway":"10.0.0.1","dev":"eth9","metric":50,"flags":[]}]`;
    expect(parseDefaultRoutes(routes)).toEqual([
      { gateway: '10.0.0.1', dev: 'eth9' },
      { gateway: '192.168.122.1', dev: 'mgmt-br' },
    ]);
    expect(parseDefaultRoutes('')).toEqual([]);
    expect(parseDefaultRoutes('[]\n')).toEqual([]);
  });

  it('refuses output that is not JSON (an old iproute2 without -j)', () => {
    expect(() => parseIpAddr('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536')).toThrow(ParseError);
    expect(() => parseIpLink('{"not":"a list"}')).toThrow(/did not print a list/);
  });
});

describe('time', () => {
  it.each([
    ['+85us', 0.085],
    ['-1.301ms', -1.301],
    ['+312.500s', 312_500],
    ['1min 3s', 63_000],
    ['nonsense', undefined],
  ])('duration %s is %s ms', (text, ms) => {
    const got = parseDurationMs(text);
    if (ms === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(ms, 6);
  });

  it('reads timedatectl timesync-status', () => {
    const text = '       Server: 194.58.200.20 (ntp.se)\nPoll interval: 34min 8s (min: 32s; max 34min 8s)\n         Leap: normal\n       Offset: -2.512s\n        Delay: 1.301ms\n';
    expect(parseTimesyncOffset(text)).toBe(-2512);
    expect(parseTimesyncOffset('Leap: normal\n')).toBeUndefined();
  });

  it('reads chronyc tracking, synchronised and not', () => {
    const synced = `Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\nRef time (UTC)  : Thu Jan 02 10:00:00 2025\nSystem time     : 0.000012345 seconds slow of NTP time\nLast offset     : -0.000002121 seconds\nLeap status     : Normal\n`;
    expect(parseChronyTracking(synced)).toEqual({ synced: true, offsetMs: -0.012345, reference: 'C0A80101 (192.168.1.1)' });
    const lost = `Reference ID    : 00000000 ()\nStratum         : 0\nSystem time     : 12.500000000 seconds fast of NTP time\nLeap status     : Not synchronised\n`;
    expect(parseChronyTracking(lost)).toMatchObject({ synced: false, offsetMs: 12_500 });
    expect(() => parseChronyTracking('506 Cannot talk to daemon\n')).toThrow(/Leap status/);
  });
});

describe('getent and curl', () => {
  it('reads addresses from getent hosts', () => {
    expect(parseGetent('10.0.0.5        rancher.example.com\n2001:db8::5     rancher.example.com\n')).toEqual(['10.0.0.5', '2001:db8::5']);
    expect(parseGetent('')).toEqual([]);
  });

  it.each([
    ['401', 0, '', true, 'answers HTTP 401'],
    ['407', 0, '', true, 'answers HTTP 407'],
    ['000', 7, "curl: (7) Failed to connect to proxy.example.com port 3128 after 3 ms: Couldn't connect to server", false, 'connection refused or no route'],
    ['000', 6, 'curl: (6) Could not resolve host: registry.example.com', false, 'the name does not resolve'],
    ['000', 28, 'curl: (28) Connection timed out after 5001 milliseconds', false, 'no answer within 5 s'],
    ['000', 77, 'curl: (77) error setting certificate file', false, 'error setting certificate file'],
  ])('curl %s exit %s', (stdout, code, stderr, reachable, detail) => {
    expect(parseCurl(stdout, code, stderr)).toEqual({ reachable, detail });
  });

  it('builds curl commands it can read back, and refuses values that would reach a shell', () => {
    expect(parseCurlCommand(NetCommands.curl('https://registry.example.com:5000/v2/', 'http://proxy:3128'))).toEqual({ url: 'https://registry.example.com:5000/v2/', proxy: 'http://proxy:3128' });
    expect(parseCurlCommand(NetCommands.curl('http://proxy:3128'))).toEqual({ url: 'http://proxy:3128' });
    expect(safeUrl("http://evil'; rm -rf /")).toBe(false);
    expect(safeUrl('ftp://x')).toBe(false);
    expect(safeHost('0.suse.pool.ntp.org')).toBe(true);
    expect(safeHost('$(reboot)')).toBe(false);
    expect(safeHost('a b')).toBe(false);
  });
});

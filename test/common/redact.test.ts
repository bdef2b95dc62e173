import { describe, expect, it } from 'vitest';
import { Masked, redactJson, redactSetting, redactText } from '../../src/common/redact.js';

describe('redaction', () => {
  it.each([
    ['URL user-info', 'http://ops:p4ss@proxy:3128', 'http://ops:***@proxy:3128'],
    ['several URLs', 'a https://u:x@h1/ b socks5://v:y@h2', 'a https://u:***@h1/ b socks5://v:***@h2'],
    ['URL without password', 'http://proxy:3128', 'http://proxy:3128'],
    ['PEM block', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- end', `key: ${Masked} end`],
  ])('redactText: %s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('redactJson masks secret-named scalars, searches secret-named objects, keeps the rest', () => {
    expect(redactJson({ Auth: { Username: 'u', Password: 'p', Auth: 'dTpw', IdentityToken: '' }, secretAccessKey: 'k', bucket: 'b', n: 3 }))
      .toEqual({ Auth: { Username: 'u', Password: Masked, Auth: Masked, IdentityToken: '' }, secretAccessKey: Masked, bucket: 'b', n: 3 });
  });

  it('redactSetting keeps JSON valid and hides the registration token', () => {
    const v = redactSetting('backup-target', '{"type":"s3","accessKeyId":"AKIA","secretAccessKey":"zzz","endpoint":"https://s3.lab"}');
    expect(JSON.parse(v)).toEqual({ type: 's3', accessKeyId: Masked, secretAccessKey: Masked, endpoint: 'https://s3.lab' });
    const a = redactSetting('cluster-registration-url', 'https://r.lab/v3/import/AAAA_c-m-1.yaml');
    const b = redactSetting('cluster-registration-url', 'https://r.lab/v3/import/BBBB_c-m-1.yaml');
    expect(a).not.toContain('AAAA');
    expect(a).not.toBe(b); // a changed token still shows as a difference
    expect(redactSetting('ntp-servers', '')).toBe('');
    expect(redactSetting('http-proxy', 'not json {')).toBe('not json {');
  });
});

describe('redaction with a salt (the cluster UID)', () => {
  const registry = (password: string) => JSON.stringify({ Configs: { 'r.lab': { Auth: { Username: 'u', Password: password } } } });

  it('masks with a digest that is equal for an unchanged secret and differs for a changed one', () => {
    const a = redactSetting('containerd-registry', registry('hunter22'), { salt: 'uid-1' });
    expect(a).not.toContain('hunter22');
    expect(a).toMatch(/"Password":"\*\*\*~[A-Za-z0-9_-]{12}"/);
    expect(redactSetting('containerd-registry', registry('hunter22'), { salt: 'uid-1' })).toBe(a);
    expect(redactSetting('containerd-registry', registry('hunter23'), { salt: 'uid-1' })).not.toBe(a);
    // another cluster: another digest, so one table of guesses does not serve every journal
    expect(redactSetting('containerd-registry', registry('hunter22'), { salt: 'uid-2' })).not.toBe(a);
  });

  it('digests URL passwords the same way, and masking again keeps the digest', () => {
    const v = redactSetting('http-proxy', '{"httpProxy":"http://ops:p4ss@proxy:3128"}', { salt: 'uid-1' });
    expect(v).not.toContain('p4ss');
    const masked = /ops:(\*\*\*~[A-Za-z0-9_-]{12})@/.exec(v)?.[1];
    expect(masked).toBeDefined();
    expect(redactText(v)).toBe(v);
    expect(redactJson({ Password: masked! })).toEqual({ Password: masked });
    expect(redactText('http://ops:p4ss@proxy:3128')).toBe('http://ops:***@proxy:3128');
  });
});

// --rancher-url and the token: https only, no credentials in the URL, the token from a file
// or an environment variable (registered as a secret, both halves), a CA file or an
// explicit insecure flag; and the error texts that say which flag to fix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TransientError, UnreachableError, UsageError } from '../../src/common/errors.js';
import { classifyError } from '../../src/engine/classify.js';
import { SecretRegistry } from '../../src/journal/secrets.js';
import { DefaultTokenEnv, loadRancherAccess, parseRancherUrl } from '../../src/rancher/access.js';
import { rancherError } from '../../src/rancher/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fallow-rancher-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'token-ab12c:q8v5rks4lnpz7c2wm9xj3dtgf6bh1ycm0ae4uoi5kwl2rxs7nv8d';

describe('parseRancherUrl', () => {
  it('normalises the server URL', () => {
    expect(parseRancherUrl('https://rancher.example.com/')).toBe('https://rancher.example.com');
    expect(parseRancherUrl('https://rancher.example.com:8443/rancher//')).toBe('https://rancher.example.com:8443/rancher');
  });
  it.each([
    ['rancher.example.com', /is not a URL/],
    ['http://rancher.example.com', /must be https/],
    ['https://admin:pw@rancher.example.com', /must not carry credentials/],
    ['https://rancher.example.com/?token=x', /query or fragment/],
  ])('refuses %s', (url, msg) => {
    expect(() => parseRancherUrl(url)).toThrow(msg);
    expect(() => parseRancherUrl(url)).toThrow(UsageError);
  });
});

describe('loadRancherAccess', () => {
  it('reads the token from a file and registers it (and its secret half) as a secret', async () => {
    const f = join(dir, 'token');
    writeFileSync(f, `${TOKEN}\n`, { mode: 0o600 });
    const reg = new SecretRegistry();
    const a = await loadRancherAccess({ url: 'https://rancher.example.com', tokenFile: f, insecure: true }, {}, reg);
    expect(a.token.reveal()).toBe(TOKEN);
    expect(String(a.token)).toBe('[secret]');
    expect(JSON.stringify(a)).not.toContain('q8v5rks4');
    expect(a.insecure).toBe(true);
    expect(reg.find(`Authorization: Bearer ${TOKEN}`)).toBe('Rancher Manager API token');
    expect(reg.scrub('the secret is q8v5rks4lnpz7c2wm9xj3dtgf6bh1ycm0ae4uoi5kwl2rxs7nv8d')).toBe('the secret is [redacted]');
  });

  it('reads the token from the default environment variable, with a CA file', async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const a = await loadRancherAccess({ url: 'https://rancher.example.com', caFile: ca }, { [DefaultTokenEnv]: TOKEN }, new SecretRegistry());
    expect(a.token.reveal()).toBe(TOKEN);
    expect(a.caPem).toContain('BEGIN CERTIFICATE');
    expect(a.insecure).toBe(false);
  });

  it.each([
    [{ tokenEnv: 'NOPE' }, /Cannot read the Rancher Manager API token from environment variable NOPE: it is not set/],
    [{ tokenFile: '/nonexistent/token' }, /from file \/nonexistent\/token: ENOENT/],
    [{ tokenFile: 'a', tokenEnv: 'B' }, /either as a file or as an environment variable/],
    [{ tokenEnv: 'T', caFile: 'x', insecure: true }, /contradict/],
    [{ tokenEnv: 'T', caFile: '/nonexistent/ca.pem' }, /cannot read the Rancher CA file/],
  ])('refuses %j', async (o, msg) => {
    await expect(loadRancherAccess({ url: 'https://rancher.example.com', ...o }, { T: TOKEN }, new SecretRegistry())).rejects.toThrow(msg);
  });
});

describe('rancherError', () => {
  it('says unreachable about Rancher Manager and keeps the fields the engine classifies by', () => {
    const cause = Object.assign(new UnreachableError('cannot reach the Kubernetes API at https://r/k8s/clusters/local: connection refused', 'Check the kubeconfig'), { code: 'ECONNREFUSED', transient: true });
    const e = rancherError('https://r', 'list provisioning.cattle.io clusters', cause);
    expect(e.message).toBe('cannot reach Rancher Manager at https://r: connection refused (list provisioning.cattle.io clusters)');
    expect(e.hint).toMatch(/--rancher-url/);
    expect(e).toMatchObject({ code: 'ECONNREFUSED', transient: true });
  });
  it.each([
    [401, /rejected the API token \(401\)/, /API key/],
    [403, /forbids the token's user/, /cluster owner/],
    [404, /no such object or API/, /v2\.8/],
  ])('HTTP %s', (statusCode, msg, hint) => {
    const e = rancherError('https://r', 'get x', Object.assign(new Error('x'), { statusCode }));
    expect(e.message).toMatch(msg);
    expect(e.hint).toMatch(hint);
    expect(e.statusCode).toBe(statusCode);
  });
  it('HTTP 503 (Rancher Manager restarting) is transient, as the same status from the Kubernetes API is', () => {
    const e = rancherError('https://r', 'get x', Object.assign(new Error('Service Unavailable'), { statusCode: 503 }));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toBe('Rancher Manager at https://r answered HTTP 503 to get x: Service Unavailable');
    expect(classifyError(e).transient).toBe(true);
  });
});

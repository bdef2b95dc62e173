import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { loadKubeconfig } from '../../src/cluster/kubeconfig.js';

function kubeconfig(opts: { clusters: [string, string][]; contexts: [string, string, string][]; users: string[]; current?: string }): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const [name, server] of opts.clusters) lines.push(`- name: ${name}`, '  cluster:', `    server: ${server}`);
  lines.push('users:');
  for (const u of opts.users) lines.push(`- name: ${u}`, '  user:', `    token: tok-${u}`);
  lines.push('contexts:');
  for (const [name, cluster, user] of opts.contexts) lines.push(`- name: ${name}`, '  context:', `    cluster: ${cluster}`, `    user: ${user}`);
  if (opts.current) lines.push(`current-context: ${opts.current}`);
  return lines.join('\n') + '\n';
}

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'fallow-kc-'));
}

describe('loadKubeconfig', () => {
  it('uses --kubeconfig and its current-context', () => {
    const d = dir();
    const f = path.join(d, 'a.yaml');
    writeFileSync(f, kubeconfig({ clusters: [['h', 'https://127.0.0.1:6443/']], users: ['admin'], contexts: [['harv', 'h', 'admin']], current: 'harv' }));
    const k = loadKubeconfig({ kubeconfig: f, env: {} });
    expect(k.context).toBe('harv');
    expect(k.server).toBe('https://127.0.0.1:6443');
    expect(k.clusterName).toBe('h');
  });

  it('merges KUBECONFIG first-wins like kubectl, skipping missing files, duplicates allowed', () => {
    const d = dir();
    const a = path.join(d, 'a.yaml');
    const b = path.join(d, 'b.yaml');
    writeFileSync(a, kubeconfig({ clusters: [['h', 'https://127.0.0.1:1']], users: ['admin'], contexts: [['one', 'h', 'admin']], current: 'one' }));
    // b redefines cluster "h" (ignored: a wins) and adds a context and a current-context (ignored).
    writeFileSync(b, kubeconfig({ clusters: [['h', 'https://127.0.0.1:2'], ['g', 'https://127.0.0.1:3']], users: ['admin', 'ro'], contexts: [['two', 'g', 'ro']], current: 'two' }));
    const env = { KUBECONFIG: [a, path.join(d, 'missing.yaml'), b].join(path.delimiter) };
    const k = loadKubeconfig({ env });
    expect(k.files).toEqual([a, b]);
    expect(k.context).toBe('one');
    expect(k.server).toBe('https://127.0.0.1:1');
    const two = loadKubeconfig({ env, context: 'two' });
    expect(two.server).toBe('https://127.0.0.1:3');
  });

  it.each([
    ['no kubeconfig anywhere', (d: string) => ({ env: { HOME: d } }), /no kubeconfig found: KUBECONFIG is not set and .*\.kube\/config does not exist/],
    ['--kubeconfig to a missing file', (d: string) => ({ kubeconfig: path.join(d, 'nope'), env: {} }), /kubeconfig file not found: .*nope/],
    ['KUBECONFIG with only missing files', (d: string) => ({ env: { KUBECONFIG: path.join(d, 'x') } }), /none of the files in KUBECONFIG exist/],
  ])('%s is a UsageError', (_name, opts, msg) => {
    const d = dir();
    const err = (() => {
      try {
        loadKubeconfig(opts(d));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(msg);
  });

  it('names the known contexts when --context is unknown', () => {
    const d = dir();
    const f = path.join(d, 'a.yaml');
    writeFileSync(f, kubeconfig({ clusters: [['h', 'https://127.0.0.1:1']], users: ['u'], contexts: [['alpha', 'h', 'u'], ['beta', 'h', 'u']], current: 'alpha' }));
    expect(() => loadKubeconfig({ kubeconfig: f, context: 'gamma', env: {} })).toThrow(/context "gamma" not found/);
    try {
      loadKubeconfig({ kubeconfig: f, context: 'gamma', env: {} });
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/Known contexts: alpha, beta/);
    }
  });

  it('asks for --context when there is no current-context', () => {
    const d = dir();
    const f = path.join(d, 'a.yaml');
    writeFileSync(f, kubeconfig({ clusters: [['h', 'https://127.0.0.1:1']], users: ['u'], contexts: [['alpha', 'h', 'u']] }));
    expect(() => loadKubeconfig({ kubeconfig: f, env: {} })).toThrow(/has no current-context/);
  });

  it('rejects an unparseable file without echoing its content', () => {
    const d = dir();
    const f = path.join(d, 'bad.yaml');
    writeFileSync(f, 'clusters: [\n  token: supersecret-value\n');
    let msg = '';
    try {
      loadKubeconfig({ kubeconfig: f, env: {} });
    } catch (e) {
      msg = (e as Error).message;
      expect(e).toBeInstanceOf(UsageError);
    }
    expect(msg).toMatch(/is not valid/);
    expect(msg).not.toContain('supersecret');
  });
});

// Pod exec over WebSocket through client-node's Exec (v5/v4 channel protocol): output
// channels, the Status on channel 3, exit codes, and the HTTP errors before an upgrade.
import { PassThrough } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecHandler } from '../../../src/twin/apiserver/index.js';
import { pod, put, raw, startTwin, type Twin } from './fixture.js';

const calls: { pod: string; container: string; command: string[] }[] = [];
const handler: ExecHandler = async (p, container, command) => {
  calls.push({ pod: p.metadata.name, container, command });
  if (command[0] === 'boom') throw new Error('runtime exploded');
  const code = command[0] === 'exit' ? Number(command[1]) : 0;
  return { stdout: `out:${command.join(' ')}\n`, stderr: code ? 'failing\n' : '', exitCode: code };
};

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin({ exec: handler });
  put(twin.store, pod('kube-system', 'multi', 'harv1', 'Running', ['a', 'b']));
  put(twin.store, pod('kube-system', 'done', 'harv1', 'Succeeded'));
});
afterAll(() => twin.close());

async function run(ns: string, name: string, container: string, command: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  let status: V1Status | undefined;
  const ws = await new Exec(twin.kc).exec(ns, name, container, command, out, err, null, false, (s) => (status = s));
  await new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.on('close', () => r())));
  return { stdout, stderr, status, protocol: ws.protocol };
}

async function refusal(ns: string, name: string, container: string, command: string[]): Promise<string> {
  try {
    await run(ns, name, container, command);
  } catch (e) {
    return String((e as Error).message ?? e);
  }
  throw new Error('expected the exec to be refused');
}

describe('exec', () => {
  it('runs the handler and streams stdout with a Success status (v5 protocol)', async () => {
    const r = await run('kube-system', 'etcd-harv1', 'etcd', ['etcdctl', 'endpoint', 'status', '--cluster', '-w', 'json']);
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.stdout).toBe('out:etcdctl endpoint status --cluster -w json\n');
    expect(r.status?.status).toBe('Success');
    expect(calls.at(-1)).toEqual({ pod: 'etcd-harv1', container: 'etcd', command: ['etcdctl', 'endpoint', 'status', '--cluster', '-w', 'json'] });
  });

  it('reports a non-zero exit as NonZeroExitCode with an ExitCode cause, stderr on channel 2', async () => {
    const r = await run('kube-system', 'etcd-harv1', 'etcd', ['exit', '3']);
    expect(r.stderr).toBe('failing\n');
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('reports a handler failure as an InternalError status', async () => {
    const r = await run('kube-system', 'etcd-harv1', 'etcd', ['boom']);
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError' });
    expect(r.status?.message).toContain('runtime exploded');
  });

  it('picks a container in multi-container pods only by name', async () => {
    expect((await run('kube-system', 'multi', 'b', ['x'])).status?.status).toBe('Success');
    expect(calls.at(-1)?.container).toBe('b');
    expect(await refusal('kube-system', 'multi', 'zzz', ['x'])).toMatch(/400/);
  });

  it('refuses missing pods (404) and pods that are not running (400) before upgrading', async () => {
    expect(await refusal('kube-system', 'nope', 'etcd', ['x'])).toMatch(/404/);
    expect(await refusal('kube-system', 'done', 'main', ['x'])).toMatch(/400/);
    expect(await refusal('default', 'pending-pod', 'main', ['x'])).toMatch(/400/);
    const rec = twin.api.requestLog.filter((r) => r.subresource === 'exec').map((r) => r.status);
    expect(rec).toContain(404);
    expect(rec).toContain(101);
  });

  it('answers the v4 protocol too, and plain exec GETs without upgrade with 400', async () => {
    const ws = new WebSocket(`${twin.api.url.replace('https', 'wss')}/api/v1/namespaces/kube-system/pods/etcd-harv1/exec?command=hi&stdout=1&container=etcd`, ['v4.channel.k8s.io'], {
      ca: twin.api.caPem,
      headers: { Authorization: `Bearer ${twin.api.adminToken}` },
    });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    await new Promise<void>((r) => ws.on('close', () => r()));
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    expect(frames.map((f) => f[0])).toEqual([1, 3]);
    expect(frames[0]!.subarray(1).toString()).toBe('out:hi\n');
    expect(JSON.parse(frames[1]!.subarray(1).toString())).toEqual({ metadata: {}, status: 'Success' });
    const plain = await raw(twin.api, 'GET', '/api/v1/namespaces/kube-system/pods/etcd-harv1/exec?command=hi');
    expect(plain.status).toBe(400);
    expect(plain.json().message).toBe('Upgrade request required');
  });
});

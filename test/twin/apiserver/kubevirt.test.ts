// KubeVirt's start/stop/restart subresources as virt-api answers them, and subresource
// handlers added by others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../../src/twin/store/types.js';
import { put, raw, startTwin, vm, vmi, type Twin } from './fixture.js';

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin();
});
afterAll(() => twin.close());

const sub = (name: string, action: string, body?: unknown) =>
  raw(twin.api, 'PUT', `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/${name}/${action}`, body === undefined ? {} : { body });
const getVm = (name: string) => twin.store.get(twin.store.typeFor('kubevirt.io', 'v1', 'virtualmachines')!, 'default', name);
const getVmi = (name: string) => twin.store.tryGet(twin.store.typeFor('kubevirt.io', 'v1', 'virtualmachineinstances')!, 'default', name);
const spec = (o: KObject) => o.spec as { runStrategy?: string; running?: boolean; terminationGracePeriodSeconds?: number };

describe('KubeVirt lifecycle subresources', () => {
  it('stop sets runStrategy Halted and first shortens the running VMI grace period', async () => {
    put(twin.store, vm('default', 'web', 'Always'));
    put(twin.store, vmi('default', 'web'));
    const res = await sub('web', 'stop', { gracePeriod: 60 });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(spec(getVm('web')).runStrategy).toBe('Halted');
    expect(spec(getVmi('web')!).terminationGracePeriodSeconds).toBe(60);
  });

  it('stop of a Halted VM without a VMI is 409 "VM is not running"', async () => {
    put(twin.store, vm('default', 'off', 'Halted'));
    const res = await sub('off', 'stop');
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "off": VM is not running' });
  });

  it('start sets runStrategy Always from Halted; a running VM is 409', async () => {
    expect((await sub('off', 'start')).status).toBe(202);
    expect(spec(getVm('off')).runStrategy).toBe('Always');
    put(twin.store, vmi('default', 'off'));
    const again = await sub('off', 'start');
    expect(again.status).toBe(409);
    expect(again.json().message).toContain('VM is already running');
  });

  it('uses spec.running for VMs that have it', async () => {
    put(twin.store, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'legacy', namespace: 'default' }, spec: { running: true } });
    put(twin.store, vmi('default', 'legacy'));
    expect((await sub('legacy', 'stop')).status).toBe(202);
    expect(spec(getVm('legacy'))).toMatchObject({ running: false });
    expect(spec(getVm('legacy')).runStrategy).toBeUndefined();
  });

  it('stop of a RerunOnFailure VM asks the controller through status.stateChangeRequests', async () => {
    put(twin.store, vm('default', 'guest', 'RerunOnFailure'));
    const inst = put(twin.store, vmi('default', 'guest'));
    expect((await sub('guest', 'stop')).status).toBe(202);
    const v = getVm('guest');
    expect(spec(v).runStrategy).toBe('RerunOnFailure');
    expect((v.status as { stateChangeRequests: unknown }).stateChangeRequests).toEqual([{ action: 'Stop', uid: inst.metadata.uid }]);
  });

  it('restart deletes the VMI; a Halted VM or one without a VMI is 409', async () => {
    put(twin.store, vm('default', 'rs', 'Always'));
    put(twin.store, vmi('default', 'rs'));
    expect((await sub('rs', 'restart')).status).toBe(202);
    expect(getVmi('rs')).toBeUndefined();
    expect((await sub('rs', 'restart')).json().message).toContain('VM is not running');
    put(twin.store, vm('default', 'halted', 'Halted'));
    expect((await sub('halted', 'restart')).json().message).toContain('does not support manual restart requests');
    expect((await sub('rs', 'restart', { gracePeriodSeconds: 5 })).status).toBe(400);
  });

  it('404 for a missing VM, and discovery lists the subresources', async () => {
    const res = await sub('ghost', 'stop');
    expect(res.status).toBe(404);
    expect(res.json().message).toBe('virtualmachine.kubevirt.io "ghost" not found');
    const disc = await raw(twin.api, 'GET', '/apis/subresources.kubevirt.io/v1');
    const names = (disc.json().resources as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart']));
  });

  it('routes subresources added by others, and lists them in discovery', async () => {
    twin.api.addSubresource('subresources.kubevirt.io', 'virtualmachines', 'migrate', (req) => ({ status: 202, body: { got: req.name, body: req.body, user: req.user } }));
    const res = await sub('web', 'migrate', { x: 1 });
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({ got: 'web', body: { x: 1 }, user: 'admin' });
    const disc = await raw(twin.api, 'GET', '/apis/subresources.kubevirt.io/v1');
    expect((disc.json().resources as { name: string }[]).map((r) => r.name)).toContain('virtualmachines/migrate');
  });
});

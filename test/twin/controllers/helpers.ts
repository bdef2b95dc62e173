// Test helpers for the twin's behaviour: a twin on virtual time (no API server unless
// asked), waiting for conditions in wall time, and shorthands for the objects tests read.
import type { KindRef } from '../../../src/twin/api.js';
import type { KObject } from '../../../src/twin/store/types.js';
import type { StartTwinOptions, Twin } from '../../../src/twin/runtime.js';
import type { EventQuery, TwinEvent } from '../../../src/twin/events.js';
import { startVirtualTwin } from '../../helpers/virtual-twin.js';

/** Modelled time moves only while the test is idle: a wait costs no wall time, and a loaded machine cannot stretch it. */
export async function fastTwin(o: Omit<StartTwinOptions, 'clock' | 'scale'> = {}): Promise<Twin> {
  return startVirtualTwin({ scenarioPath: 'default', server: false, ...o });
}

/** Polls `pred` until true; fails naming `what` and the twin's recent events. */
export async function until(pred: () => boolean | Promise<boolean>, what: string, twin?: Twin, wallMs = 20_000): Promise<void> {
  const end = Date.now() + wallMs;
  while (!(await pred())) {
    if (Date.now() > end) {
      const tail = twin ? twin.events.all().slice(-25).map((e) => twin.events.format(e)).join('\n') : '';
      throw new Error(`timed out waiting for: ${what}${tail ? `\nlast events:\n${tail}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function waitEvent(twin: Twin, q: EventQuery, what = JSON.stringify(q)): Promise<TwinEvent> {
  return until(() => twin.events.first(q) !== undefined, what, twin).then(() => twin.events.first(q)!);
}

/** Lets `seconds` of modelled time pass. */
export function modelled(twin: Twin, seconds: number): Promise<void> {
  return twin.clock.sleep(seconds * 1000);
}

export const K = {
  node: { apiVersion: 'v1', kind: 'Node' },
  pod: { apiVersion: 'v1', kind: 'Pod' },
  deploy: { apiVersion: 'apps/v1', kind: 'Deployment' },
  vm: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' },
  vmi: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' },
  volume: { apiVersion: 'longhorn.io/v1beta2', kind: 'Volume' },
  pvc: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  addon: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon' },
  svc: { apiVersion: 'v1', kind: 'Service' },
} satisfies Record<string, KindRef>;

// Loose views for assertions: tests read nested fields without a cast at every step.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = KObject & { spec?: any; status?: any };

export async function get(twin: Twin, ref: KindRef, ns: string | undefined, name: string): Promise<Loose | undefined> {
  return (await twin.api.get(ref, ns, name)) as Loose | undefined;
}

export async function list(twin: Twin, ref: KindRef, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<Loose[]> {
  return (await twin.api.list(ref, opts)) as Loose[];
}

export function ready(o: Loose | undefined): string | undefined {
  return (o?.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;
}

/** Sets a VM's runStrategy (or spec.running) as a client would. */
export async function setRunStrategy(twin: Twin, ns: string, name: string, strategy: string): Promise<void> {
  const vm = await get(twin, K.vm, ns, name);
  const spec = vm?.spec?.runStrategy !== undefined ? { runStrategy: strategy } : { running: strategy !== 'Halted' };
  await twin.api.patch(K.vm, ns, name, { spec });
}

/** Volume names of a VM's disks. */
export async function vmVolumes(twin: Twin, ns: string, vm: string): Promise<string[]> {
  const pvcs = await list(twin, K.pvc, { namespace: ns, labelSelector: `harvesterhci.io/vmName=${vm}` });
  return pvcs.map((p) => p.spec.volumeName as string);
}

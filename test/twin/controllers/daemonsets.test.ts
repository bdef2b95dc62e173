// The DaemonSet controller keeps a daemon pod through a NoSchedule taint it does not
// tolerate (a new Node's not-ready taint, a maintenance taint) and removes it only for an
// untolerated NoExecute one, as upstream's shouldContinueRunning. longhorn-manager: its
// template tolerates no taint (canal's tolerates all).
import { afterEach, expect, it } from 'vitest';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, list, modelled, until } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

it('a daemon pod survives an untolerated NoSchedule taint and goes for an untolerated NoExecute one', async () => {
  twin = await fastTwin();
  const t = twin;
  const ds = (await list(t, K.pod, { fieldSelector: 'spec.nodeName=harv2' })).find((p) => p.metadata.name.startsWith('longhorn-manager-'))!;
  const taint = (effect: string) => t.api.patch(K.node, undefined, 'harv2', { spec: { taints: [{ key: 'example.com/maintenance', effect }] } });
  await taint('NoSchedule');
  await modelled(t, 120);
  expect((await get(t, K.pod, ds.metadata.namespace, ds.metadata.name))?.metadata.deletionTimestamp).toBeUndefined();
  await taint('NoExecute');
  await until(async () => {
    const p = await get(t, K.pod, ds.metadata.namespace, ds.metadata.name);
    return !p || Boolean(p.metadata.deletionTimestamp);
  }, 'longhorn-manager pod deleted for the NoExecute taint', t);
});

// Differential check: every case of diff/cases.ts replayed against the real kube-apiserver
// and against the twin's in-memory API server; status codes, error reasons and normalised
// bodies must match. The real answers are also kept as a snapshot, so a change in the
// real behaviour (a version bump) shows up as a reviewed diff, and the twin's owner can
// read what the real server says. Known twin differences are listed in knownDifferences
// (it.fails: the test turns red once the twin is fixed, so the entry gets removed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHttpClient } from '../../src/twin/http-client.js';
import { diffCases } from './diff/cases.js';
import { runCase, waitForDefaultServiceAccount, type StepRecord } from './diff/runner.js';
import { defaultDisabledControllers } from './harness/control-plane.js';
import { startFidelityBed, type FidelityBed } from './harness.js';
import { startTwinServer, type TwinTarget } from './diff/twin-target.js';

/**
 * case name → why the twin differs today (each one was reported to the twin's owner).
 * Empty: every difference found so far is fixed, and each fix has a regression test in
 * test/twin (apiserver/kube-parity.test.ts, store/strategy.test.ts, store/strategic-patch.test.ts).
 */
const knownDifferences: Record<string, string> = {};

/**
 * The check compares API servers, not controllers: the workload controllers would write to
 * the cases' objects (a Deployment's revision annotation, status) at moments no case can
 * predict. The service-account controller stays (pods need the default ServiceAccount).
 */
const diffControllers = ['*', ...defaultDisabledControllers, 'deployment-controller', 'replicaset-controller', 'daemonset-controller', 'statefulset-controller'].map((c) =>
  c === '*' ? c : `-${c}`,
);

let bed: FidelityBed;
let twin: TwinTarget;
const real = new Map<string, StepRecord[]>();

beforeAll(async () => {
  [bed, twin] = await Promise.all([startFidelityBed({ controllers: diffControllers }), startTwinServer()]);
  // A fresh etcd makes every watch cache start at resourceVersion ~1, so nothing would be
  // "too old"; a restart starts them at today's revision, as in a cluster that has run.
  await bed.stopApiServer();
  await bed.startApiServer();
  for (const c of diffCases) real.set(c.name, await runCase(bed.client, c, `diff-${c.name}`, { namespaceReady: waitForDefaultServiceAccount }));
});

afterAll(async () => {
  await Promise.all([bed?.stop(), twin?.close()]);
});

const withoutMessages = (rs: StepRecord[]) => rs.map(({ message: _m, ...r }) => r);

describe('real kube-apiserver answers (snapshot)', () => {
  for (const c of diffCases) {
    it(`${c.name}: ${c.about}`, () => {
      expect(real.get(c.name)).toMatchSnapshot();
    });
  }
});

describe('the twin answers like kube-apiserver', () => {
  for (const c of diffCases) {
    const test = knownDifferences[c.name] ? it.fails : it;
    test(`${c.name}: ${c.about}`, async () => {
      const client = new KubeHttpClient(twin.endpoint);
      try {
        const got = await runCase(client, c, `diff-${c.name}`);
        expect(withoutMessages(got)).toEqual(withoutMessages(real.get(c.name)!));
      } finally {
        client.close();
      }
    });
  }
});

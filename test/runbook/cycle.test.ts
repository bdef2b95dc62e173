// The whole seed on the twin: shutdown (1–4) then restart (5), checked against what really
// happened in the simulated cluster (its event log), not against what fallow says it did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRestart, auditRoles, auditShutdown } from '../../src/twin/audit.js';
import { Facts } from '../../src/runbook/facts.js';
import { readJournal } from '../../src/journal/reader.js';
import { replay } from '../../src/journal/replay.js';
import { join } from 'node:path';
import { startBed, type Bed } from './bed.js';

const roles = (bed: Bed) => auditRoles(bed.twin.scenario);

describe.each([
  ['default', 'default'],
  ['witness', 'witness'],
])('full cycle on the %s scenario', (_name, scenarioPath) => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({ scenarioPath });
  });
  afterAll(async () => bed?.close());

  let shutdownRun = '';
  let shutdownStart = 0;
  it('shuts down in the seed order, every node off, the facts recorded', async () => {
    shutdownStart = bed.twin.clock.now();
    const initialLeader = bed.twin.etcd.leader()?.node;
    const r = await bed.shutdown();
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    shutdownRun = r.runId;
    for (const n of bed.twin.power.nodes()) expect(bed.twin.power.state(n)).toBe('off');

    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    for (const f of [Facts.network, Facts.vms, Facts.rancher, Facts.addons, Facts.etcd]) expect(facts.has(f.key)).toBe(true);
    const findings = auditShutdown({ events: bed.twin.events, ...roles(bed), since: shutdownStart, ...(initialLeader ? { initialLeader } : {}) });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
  });

  it('restarts leader first, VMs in waves, and verifies zero differences', async () => {
    expect(shutdownRun).not.toBe('');
    const restartStart = bed.twin.clock.now();
    const r = await bed.restart(shutdownRun, { options: { waveSize: 2 } });
    expect(r.message ?? '').toBe('');
    expect(r.state).toBe('completed');
    const facts = replay(readJournal(join(r.runDir!, 'journal.jsonl')).records).facts;
    const verification = facts.get('verification') as { summary: { errors: number } };
    expect(verification.summary.errors).toBe(0);
    const shutdownFacts = replay(readJournal(join(bed.stateDir, bed.identity.uid, shutdownRun, 'journal.jsonl')).records).facts;
    const leader = (shutdownFacts.get(Facts.etcd.key) as { leader: string }).leader;
    const notBack = bed.events.filter((e) => e.type === 'warning' && /did not bring back|not running yet/.test(e.message));
    expect(notBack).toEqual([]);
    const findings = auditRestart({ events: bed.twin.events, ...roles(bed), since: restartStart, leader, waveSize: 2 });
    expect(findings.filter((f) => !f.ok)).toEqual([]);
  });
});

// The journal's record schema (version 1): one zod schema per record type, and the types
// inferred from them. The reader validates every record against these; the writer only
// writes bodies of these types. Bump JOURNAL_SCHEMA_VERSION on any incompatible change.
import { z } from 'zod';
import type { Json } from '../engine/types.js';

export const JOURNAL_SCHEMA_VERSION = 1;

const json = z.json() as z.ZodType<Json>;

export const ClusterIdentitySchema = z.object({
  /** metadata.uid of the kube-system namespace: survives API address changes. */
  uid: z.string().min(1),
  /** The API server URL the run talks to. */
  server: z.string().min(1),
});
export type ClusterIdentity = z.infer<typeof ClusterIdentitySchema>;

const PlannedStep = z.object({
  id: z.string(),
  title: z.string(),
  phase: z.string(),
  destructive: z.boolean(),
});
export type PlannedStep = z.infer<typeof PlannedStep>;

/** Why a run stopped: all of these can be resumed with `fallow resume`. */
export const StopReason = z.enum(['interrupted', 'needs-operator', 'failed', 'partial']);
export type StopReason = z.infer<typeof StopReason>;

const step = z.string().min(1);

const bodies = [
  z.object({
    type: z.literal('run-start'),
    runId: z.string(),
    runbook: z.string(),
    cluster: ClusterIdentitySchema,
    /** The options the run was started with, so a resume rebuilds the same run. */
    options: json,
    version: z.string(),
    parentRunId: z.string().optional(),
    steps: z.array(PlannedStep),
    pid: z.number().int(),
    host: z.string(),
  }),
  z.object({
    type: z.literal('resume'),
    pid: z.number().int(),
    host: z.string(),
    version: z.string(),
    options: json,
  }),
  z.object({ type: z.literal('fact'), key: z.string().min(1), value: json, step: step.optional() }),
  z.object({ type: z.literal('step-start'), step }),
  z.object({ type: z.literal('step-skipped'), step, reason: z.string() }),
  z.object({
    type: z.literal('confirm'),
    step,
    question: z.string(),
    answer: z.boolean(),
    by: z.enum(['flag', 'operator', 'non-interactive']),
  }),
  z.object({ type: z.literal('intent'), step, attempt: z.number().int().min(1), what: z.array(z.string()) }),
  z.object({
    type: z.literal('outcome'),
    step,
    attempt: z.number().int().min(1),
    ok: z.boolean(),
    message: z.string().optional(),
    transient: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('wait-start'),
    step,
    name: z.string(),
    startedAt: z.number(),
    timeoutMs: z.number(),
    deadline: z.number(),
  }),
  z.object({ type: z.literal('wait-end'), step, name: z.string(), ok: z.boolean(), detail: z.string().optional() }),
  z.object({ type: z.literal('step-done'), step, detail: z.string().optional(), alreadyDone: z.boolean().optional() }),
  z.object({ type: z.literal('warning'), step: step.optional(), message: z.string() }),
  z.object({
    type: z.literal('run-end'),
    state: z.enum(['completed', 'stopped', 'aborted']),
    reason: StopReason.optional(),
    message: z.string().optional(),
    step: step.optional(),
    exitCode: z.number().int(),
  }),
] as const;

export const RecordBodySchema = z.discriminatedUnion('type', bodies);
export type RecordBody = z.infer<typeof RecordBodySchema>;
export type RecordType = RecordBody['type'];

/** The envelope every line carries (the checksum is added by the codec). */
const Envelope = z.object({ v: z.number().int(), seq: z.number().int().min(1), t: z.number() });
export type JournalRecord = RecordBody & z.infer<typeof Envelope>;
export type RecordOf<T extends RecordType> = Extract<JournalRecord, { type: T }>;

export const JournalRecordSchema = z.intersection(Envelope, RecordBodySchema);

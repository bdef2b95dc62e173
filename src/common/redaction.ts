// Which digest scheme a capture masks secrets with (./redact.ts), and what it records
// about that beside the values: a comparison of two captures is only meaningful when both
// used the same scheme and key, and a digest cannot tell by itself which made it.
import { z } from 'zod';
import type { RedactionKey, RedactOptions } from './redact.js';

/** The key's file name in fallow's state root (written by ../journal/redaction-key.ts). */
export const RedactionKeyFile = 'redaction.key';

export const KeyedScheme = 'keyed-scrypt/v2' as const;
export const NoDigestScheme = 'no-digest' as const;

/**
 * Recorded with the captured values. Absent: UID-salted digests (fallow before the key).
 * `no-digest`: the recorded run's key (`keyId`) was not in `stateRoot`, so secrets were
 * masked without a digest and cannot be compared.
 */
export const RedactionStamp = z.discriminatedUnion('scheme', [
  z.object({ scheme: z.literal(KeyedScheme), keyId: z.string() }),
  z.object({ scheme: z.literal(NoDigestScheme), keyId: z.string(), stateRoot: z.string() }),
]);
export type RedactionStamp = z.infer<typeof RedactionStamp>;

/** How a capture masks: what it needs in hand, where the stamp only names it. */
export type RedactionPlan =
  | { kind: 'uid-salted' }
  | { kind: 'keyed'; key: RedactionKey }
  | { kind: 'key-missing'; keyId: string; stateRoot: string };

export const UidSalted: RedactionPlan = { kind: 'uid-salted' };

/** The masking options for a cluster whose kube-system UID is `uid` (none: plain "***"). */
export function redactOptionsFor(plan: RedactionPlan, uid: string | undefined): RedactOptions {
  if (uid === undefined || plan.kind === 'key-missing') return {};
  return plan.kind === 'keyed' ? { salt: uid, key: plan.key } : { salt: uid };
}

export function stampOf(plan: RedactionPlan): RedactionStamp | undefined {
  switch (plan.kind) {
    case 'uid-salted':
      return undefined;
    case 'keyed':
      return { scheme: KeyedScheme, keyId: plan.key.id };
    case 'key-missing':
      return { scheme: NoDigestScheme, keyId: plan.keyId, stateRoot: plan.stateRoot };
  }
}

/** The stamp as a spread: nothing for the legacy scheme, so such captures read as before. */
export function stampField(plan: RedactionPlan): { redaction?: RedactionStamp } {
  const stamp = stampOf(plan);
  return stamp ? { redaction: stamp } : {};
}

/**
 * Why the digests of two captures cannot be compared, or undefined when they can (same
 * scheme, same key). Worded for the operator: which key, and where it was looked for.
 */
export function digestMismatch(before: RedactionStamp | undefined, after: RedactionStamp | undefined): string | undefined {
  if (before?.scheme === after?.scheme && before?.keyId === after?.keyId) return undefined;
  if (after?.scheme === NoDigestScheme) return `cannot compare: recorded with redaction key ${after.keyId}, not found in ${after.stateRoot}`;
  return `cannot compare: recorded with ${describe(before)}, captured now with ${describe(after)}`;
}

function describe(stamp: RedactionStamp | undefined): string {
  if (stamp === undefined) return 'UID-salted digests (fallow before the redaction key)';
  return stamp.scheme === KeyedScheme ? `redaction key ${stamp.keyId}` : 'no digests';
}

// Chooses the patch algorithm from the request's Content-Type, as kube-apiserver does:
// merge patch, JSON patch, strategic merge patch (built-in kinds only; CRDs answer 415),
// anything else 415 naming the accepted types. Errors keep upstream's codes: a malformed
// patch is 400, one that cannot apply is 422.
import { StatusError } from '../store/errors.js';
import { applyJsonPatch, JsonPatchError } from '../store/json-patch.js';
import { mergePatch } from '../store/patch.js';
import { strategicMergePatch, StrategicPatchError } from '../store/strategic-patch.js';

export const PatchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchType = keyof typeof PatchTypes;

export function patchTypeOf(contentType: string | undefined, crd: boolean): PatchType {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const accepted: PatchType[] = crd ? ['json', 'merge'] : ['json', 'merge', 'strategic'];
  const found = accepted.find((k) => PatchTypes[k] === media);
  if (found) return found;
  const list = [...accepted, 'apply' as const].map((k) => PatchTypes[k]).join(', ');
  throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${list}`);
}

/** Applies `patch` (already parsed JSON) of the given type to a copy of `current`. */
export function applyPatch(type: PatchType, current: unknown, patch: unknown): unknown {
  try {
    switch (type) {
      case 'json':
        return applyJsonPatch(current, patch);
      case 'merge':
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
          throw new StatusError(400, 'BadRequest', 'json: cannot unmarshal non-object into Go value of type map[string]interface {}');
        }
        return mergePatch(current, patch);
      case 'strategic':
        return strategicMergePatch(current, patch);
      case 'apply':
        throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not served by the twin');
    }
  } catch (e) {
    if (e instanceof JsonPatchError) throw new StatusError(e.kind === 'malformed' ? 400 : 422, e.kind === 'malformed' ? 'BadRequest' : 'Invalid', e.message);
    if (e instanceof StrategicPatchError) throw new StatusError(400, 'BadRequest', e.message);
    throw e;
  }
}

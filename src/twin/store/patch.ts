// Patch semantics the API server applies: JSON merge patch (RFC 7386) here; JSON patch
// (RFC 6902) and strategic merge patch for the built-in kinds live beside it.
// Hand-written: merge patch is a dozen lines, not worth a dependency.

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * No-op detection before a server-side apply: an object is applied only when some field we render differs from the
 * live object. ACK writes late-initialised fields back into spec; those are not ours and are not compared. Pure.
 */

/** Whether every field of `desired` is present with an equal value in `live` (arrays compared element-wise, exactly). */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((d, i) => isSubset(d, live[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isSubset(v, l[k]));
  }
  return desired === live;
}

/** Whether `desired` must be applied over `live` (absent, or a rendered field differs). */
export function needsApply(desired: { metadata: object; spec?: unknown }, live: { metadata?: object; spec?: unknown } | undefined): boolean {
  if (!live) return true;
  const { metadata, spec } = desired;
  return !isSubset(spec ?? {}, live.spec ?? {}) || !isSubset(metadata, live.metadata ?? {});
}

/**
 * Parts of Kubernetes names derived from free text (API route keys and paths, stage names, endpoint services): always
 * DNS-1123, short, deterministic, and apart whenever the texts differ.
 */

/**
 * FNV-1a (32 bits) of `text` as 8 hex digits: short, stable across runs and platforms, and pure (node:crypto is I/O
 * for the purity rule of charts/). Not a security hash: it only keeps names apart.
 */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Longest readable part a name part keeps before its hash (names stay far below Kubernetes' 253 characters). */
const MAX_SLUG = 40;

/**
 * A DNS-1123 part of a Kubernetes name for `text`: `text` itself when it already is a lower-case DNS label of at most
 * 40 characters, else its lower-cased alphanumeric runs joined by `-` (at most 40 characters) and the hash of `text`.
 * The hash keeps apart what the slug merges (`/a-b` and `/a/b`, `{id}` and `id`), and depends on `text` alone, so a
 * name never changes because another route was added.
 */
export function namePart(text: string): string {
  if (text.length <= MAX_SLUG && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text)) return text;
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, MAX_SLUG).replace(/^-+|-+$/g, '');
  return slug ? `${slug}-${shortHash(text)}` : shortHash(text);
}

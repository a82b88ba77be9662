/**
 * Searching text for secret values (test/e2e/secrets-leak.test.ts): each value in plain text and in base64, as it
 * would appear in a Secret's `data`, in a JSON dump of one, or inside any longer base64 text (the three alignments a
 * value can have in a base64 stream, standard and URL alphabets).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A value to look for, and where it came from (`<Secret>/<key>`: never the value itself, which must not be printed). */
export interface SecretValue {
  readonly source: string;
  readonly value: string;
}

/**
 * The strings that betray `value`: itself, and for each byte offset 0-2 in a base64 stream the run of base64
 * characters that only `value`'s bytes determine (standard and URL-safe alphabets). Values under 8 characters are
 * refused: their encodings would match by chance.
 */
export function needles(value: string): string[] {
  if (value.length < 8) throw new Error(`a secret value of ${value.length} characters is too short to search for`);
  const bytes = Buffer.from(value, 'utf8');
  const out = new Set<string>([value]);
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const total = offset + bytes.length;
    // Characters of whole 3-byte groups that hold value bytes only.
    const run = encoded.slice(4 * Math.ceil(offset / 3), 4 * Math.floor(total / 3));
    if (run.length >= 8) {
      out.add(run);
      out.add(run.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return [...out];
}

/** One place a value was found. */
export interface Finding {
  /** Which value (its source, not the value). */
  readonly secret: string;
  /** Where: a file path, or `event <name>`, `status <kind/name>`. */
  readonly where: string;
  readonly occurrences: number;
}

/** Occurrences of every value of `secrets` (any of its needles) in `text`, reported against `where`. */
export function findSecrets(secrets: readonly SecretValue[], text: string, where: string): Finding[] {
  const findings: Finding[] = [];
  for (const s of secrets) {
    let occurrences = 0;
    for (const n of needles(s.value)) occurrences += text.split(n).length - 1;
    if (occurrences > 0) findings.push({ secret: s.source, where, occurrences });
  }
  return findings;
}

/** Every regular file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const stat = statSync(path);
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

/** Searches each file; returns the findings and the bytes read. */
export function scanFiles(secrets: readonly SecretValue[], paths: readonly string[]): { findings: Finding[]; bytes: number } {
  let bytes = 0;
  const findings: Finding[] = [];
  for (const path of paths) {
    const content = readFileSync(path);
    bytes += content.length;
    findings.push(...findSecrets(secrets, content.toString('utf8'), path));
  }
  return { findings, bytes };
}

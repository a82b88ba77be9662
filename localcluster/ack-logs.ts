/**
 * Reading ACK controllers' logs (JSON lines, one file per controller: localcluster/ack-controllers.ts). Before each
 * update it makes to AWS the ACK runtime logs "desired resource state has changed" with the spec paths it found
 * different; the ACK smoke test and the steady-state measurement both count those lines.
 */
import { readFileSync } from 'node:fs';

/** One "desired resource state has changed" line: when, which object, and the spec paths ACK found different. */
export interface AckDiffEntry {
  /** Milliseconds since the epoch (NaN when the line has no readable time). */
  readonly at: number;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  /** Dotted spec paths, e.g. `Spec.HostnameType`. */
  readonly paths: readonly string[];
}

interface DiffLogLine {
  ts?: string | number;
  namespace?: string;
  kind?: string;
  name?: string;
  diff?: { Path?: { Parts?: string[] } }[];
}

/** ACK's log time: an RFC 3339 string, or (older runtimes) epoch seconds. */
const logTime = (ts: string | number | undefined): number => (typeof ts === 'number' ? ts * 1000 : Date.parse(ts ?? ''));

/** The "desired resource state has changed" lines of ACK log text `text`, in order. */
export function ackDiffEntries(text: string): AckDiffEntry[] {
  const out: AckDiffEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"desired resource state has changed"')) continue;
    let entry: DiffLogLine;
    try {
      entry = JSON.parse(line) as DiffLogLine;
    } catch {
      continue; // a line cut by a concurrent write
    }
    out.push({ at: logTime(entry.ts), namespace: entry.namespace, kind: entry.kind, name: entry.name, paths: (entry.diff ?? []).map((d) => (d.Path?.Parts ?? []).join('.')) });
  }
  return out;
}

/** What a controller's current process wrote to its log: the file from `logOffset` on (earlier runs wrote before it). */
export function currentLogText(log: { readonly logPath: string; readonly logOffset: number }): string {
  return readFileSync(log.logPath).subarray(log.logOffset).toString('utf8');
}

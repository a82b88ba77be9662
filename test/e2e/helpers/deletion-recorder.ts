/**
 * Watches one environment's children while it is deleted, by polling: when each child got its deletionTimestamp
 * and when it was gone. Each sample lists the kinds from the LAST deletion wave to the first, one after the other:
 * a child seen deleting means (if the operator is right) every child of an earlier wave was gone before, so an
 * earlier-wave child still present when listed afterwards in the same sample is a real ordering violation, never an
 * artefact of the sampling.
 */
import { deletionWave } from '../../../charts/deletion-order.js';
import type { ChildKind } from '../../../charts/child-kinds.js';
import type { KubeClient } from '../../../controllers/runtime/kube-client.js';
import { listKind } from './children.js';

/** What was seen of one child. */
export interface DeletionRecord {
  kind: string;
  name: string;
  wave: number;
  /** ms since the recorder's start when it was first seen with a deletionTimestamp. */
  deletingAt?: number;
  /** ms since the recorder's start when it was first seen gone. */
  goneAt?: number;
}

export class DeletionRecorder {
  readonly records = new Map<string, DeletionRecord>();
  readonly violations: string[] = [];
  readonly startedAt = Date.now();
  private readonly kinds: ChildKind[];

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
    kinds: readonly ChildKind[],
  ) {
    this.kinds = [...kinds].sort((a, b) => deletionWave(b) - deletionWave(a));
  }

  /** Records the children known before the deletion, so one deleted and gone before any sample still counts. */
  seed(children: readonly { apiVersion?: string; kind?: string; metadata?: { name?: string } }[]): void {
    for (const c of children) {
      const key = `${c.kind}/${c.metadata?.name}`;
      if (!this.records.has(key)) this.records.set(key, { kind: c.kind ?? '', name: c.metadata?.name ?? '', wave: deletionWave(c) });
    }
  }

  /** One sample; returns how many children are still present. */
  async sample(): Promise<number> {
    const at = Date.now() - this.startedAt;
    const present = new Set<string>();
    const deleting: DeletionRecord[] = [];
    for (const kind of this.kinds) {
      for (const child of await listKind(this.kube, kind, this.namespace, this.name)) {
        const key = `${child.kind}/${child.metadata?.name}`;
        present.add(key);
        let record = this.records.get(key);
        if (!record) this.records.set(key, (record = { kind: kind.kind, name: child.metadata?.name ?? '', wave: deletionWave(kind) }));
        if (child.metadata?.deletionTimestamp) {
          record.deletingAt ??= at;
          deleting.push(record);
        }
        // Listed after every later-wave kind: any of those already being deleted is deleted too early.
        for (const early of deleting) {
          if (early.wave > record.wave) {
            this.violations.push(`${early.kind}/${early.name} (wave ${early.wave}) was being deleted while ${key} (wave ${record.wave}) still existed`);
          }
        }
      }
    }
    for (const [key, record] of this.records) if (!present.has(key)) record.goneAt ??= at;
    return present.size;
  }

  /** Per wave: kinds, children, when the first was being deleted and when the last was gone (s). */
  waves(): { wave: number; kinds: string[]; children: number; firstDeletingS?: number; lastGoneS?: number }[] {
    const byWave = new Map<number, DeletionRecord[]>();
    for (const r of this.records.values()) byWave.set(r.wave, [...(byWave.get(r.wave) ?? []), r]);
    const s = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms / 100) / 10);
    return [...byWave.entries()]
      .sort(([a], [b]) => a - b)
      .map(([wave, rs]) => {
        const deleting = rs.map((r) => r.deletingAt).filter((v): v is number => v !== undefined);
        const gone = rs.map((r) => r.goneAt);
        return {
          wave,
          kinds: [...new Set(rs.map((r) => r.kind))],
          children: rs.length,
          firstDeletingS: s(deleting.length ? Math.min(...deleting) : undefined),
          lastGoneS: gone.every((g) => g !== undefined) ? s(Math.max(...(gone as number[]))) : undefined,
        };
      });
  }

  /** Children never seen gone. */
  stuck(): DeletionRecord[] {
    return [...this.records.values()].filter((r) => r.goneAt === undefined);
  }
}

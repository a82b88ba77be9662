/**
 * Counts API writes by verb, to report "API writes per reconcile" and to catch write amplification
 * (a reconcile that patches status on every pass although nothing changed, for example).
 */

/** The kinds of write the {@link KubeClient} issues. */
export type WriteVerb = 'apply' | 'patchStatus' | 'patchMetadata' | 'delete' | 'create';

/** All verbs, in a stable order for reports. */
export const WRITE_VERBS: readonly WriteVerb[] = ['apply', 'patchStatus', 'patchMetadata', 'delete', 'create'];

/** Counts of writes per verb. */
export type WriteCounts = Readonly<Record<WriteVerb, number>>;

/**
 * A mutable tally of writes. A request is counted when it is sent, whether or not it succeeds:
 * failed writes cost the API server as much as successful ones.
 */
export class ApiWriteCounter {
  private readonly counts = new Map<WriteVerb, number>();

  /** Records one write. */
  increment(verb: WriteVerb): void {
    this.counts.set(verb, (this.counts.get(verb) ?? 0) + 1);
  }

  /** Writes of one verb so far. */
  get(verb: WriteVerb): number {
    return this.counts.get(verb) ?? 0;
  }

  /** Writes of all verbs so far. */
  total(): number {
    return WRITE_VERBS.reduce((sum, verb) => sum + this.get(verb), 0);
  }

  /** A copy of the counts, with every verb present (zero if unused). */
  snapshot(): WriteCounts {
    return Object.fromEntries(WRITE_VERBS.map((verb) => [verb, this.get(verb)])) as Record<WriteVerb, number>;
  }
}

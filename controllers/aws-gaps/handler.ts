/** What one kind of aws-gaps declaration implements (one module per kind, registered in actions.ts). */
import type { AwsGap, LateValue } from '../../charts/aws-gaps.js';
import type { AwsClients } from './clients.js';

/** Where a handler acts: the clients and the region of the annotated child. */
export interface GapContext {
  readonly clients: AwsClients;
  /** Region of the annotated child; undefined means the SDK's default region. */
  readonly region: string | undefined;
}

/** Resolved late values, by input name. */
export type GapValues = Readonly<Record<string, string>>;

/** Keeps AWS in the state one kind of declaration describes. Both methods are idempotent; AWS's refusals are AwsCallErrors. */
export interface GapHandler<G extends AwsGap> {
  /** `kind` of its entries in `status.components`. */
  readonly kind: string;
  /** Late values ensure needs, by input name; it runs only once every one is known. */
  ensureInputs(gap: G): Readonly<Record<string, LateValue>>;
  /**
   * The late values naming the AWS resource acted on (a subset of ensureInputs, same names): all undo needs. Unknown
   * means nothing to undo.
   */
  targetInputs(gap: G): Readonly<Record<string, LateValue>>;
  /**
   * Brings AWS to the state `gap` declares, with its inputs resolved to `values`; resolves with the Ready message and
   * whether AWS was changed.
   */
  ensure(ctx: GapContext, values: GapValues, gap: G): Promise<{ readonly message: string; readonly changed: boolean }>;
  /** Undoes the action (already undone, or the resource gone, counts as done); resolves with whether AWS was changed. */
  undo(ctx: GapContext, values: GapValues, gap: G): Promise<boolean>;
}

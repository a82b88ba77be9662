/** What one kind of aws-gaps declaration implements (one module per kind, registered in actions.ts). */
import type { AwsGap, LateValue } from '../../charts/aws-gaps.js';
import type { ValueOutput } from '../../charts/outputs.js';
import type { AwsClients } from './clients.js';

/** Where a handler acts: the clients and the region of the annotated child. */
export interface GapContext {
  readonly clients: AwsClients;
  /** Region of the annotated child; undefined means the SDK's default region. */
  readonly region: string | undefined;
}

/** Resolved late values, by input name. */
export type GapValues = Readonly<Record<string, string>>;

/** A Kubernetes Secret of the environment an ensure fills (a Cognito client secret): written, never logged. */
export interface GapSecret {
  /** Name of the Secret, in the environment's namespace. */
  readonly name: string;
  /** Its keys and values (plain text; the writer encodes them). */
  readonly data: Readonly<Record<string, string>>;
}

/** What an ensure reports. */
export interface GapResult {
  /** The Ready message of the component (never a secret). */
  readonly message: string;
  /** Whether AWS was changed (logged). */
  readonly changed: boolean;
  /** Values AWS generated that become `status.outputs` entries (a client id). @default none */
  readonly outputs?: readonly ValueOutput[];
  /** A Secret to write with values AWS generated (a client secret). @default none */
  readonly secret?: GapSecret;
}

/** Keeps AWS in the state one kind of declaration describes. Both methods are idempotent; AWS's refusals are AwsCallErrors. */
export interface GapHandler<G extends AwsGap> {
  /** `kind` of its entries in `status.components`. */
  readonly kind: string;
  /**
   * The action belongs to the annotated child's AWS resource and stays with it when ACK retains that resource
   * (`services.k8s.aws/deletion-policy: retain`, a data-bearing child): undo then leaves it. @default false
   */
  readonly keptWithRetainedChild?: boolean;
  /** Late values ensure needs, by input name; it runs only once every one is known. */
  ensureInputs(gap: G): Readonly<Record<string, LateValue>>;
  /**
   * The late values naming the AWS resource acted on (a subset of ensureInputs, same names): all undo needs. Unknown
   * means nothing to undo.
   */
  targetInputs(gap: G): Readonly<Record<string, LateValue>>;
  /** Brings AWS to the state `gap` declares, with its inputs resolved to `values`. */
  ensure(ctx: GapContext, values: GapValues, gap: G): Promise<GapResult>;
  /** Undoes the action (already undone, or the resource gone, counts as done); resolves with whether AWS was changed. */
  undo(ctx: GapContext, values: GapValues, gap: G): Promise<boolean>;
}

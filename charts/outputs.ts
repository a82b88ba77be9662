/**
 * Output declarations: which field of a child becomes which entry of the environment's `status.outputs`
 * (api/status.ts). Declared by the construct that renders the child, in an annotation (as bindings are, bindings.ts),
 * so the controller builds the outputs from the rendered children and their live copies without knowing any child's
 * name or kind (controllers/marketplace-environment/outputs.ts).
 *
 * A child's declarations are read once the child exists in the API server: a `fieldPath` once ACK has written the
 * field, a `value` (a fact the chart knows, such as a bucket's short name) as soon as the child exists. Several
 * declarations may target one output: the first that has a value wins (a fallback). A numeric pointer segment is an
 * array index; the controller drops the entries of children it has not seen, so lists stay dense and in order.
 */
import { PREFIX } from './naming.js';

/** Annotation carrying the JSON array of output declarations of a child. */
export const OUTPUTS_ANNOTATION = `${PREFIX}/outputs`;

/** A child field that becomes an output. */
export interface FieldOutput {
  /** JSON pointer into `status.outputs`, e.g. `/vpcID` or `/subnetIDs/private/0`. */
  readonly output: string;
  /** Dot path of the value in the live child; numeric parts index arrays, e.g. `status.nodeGroups.0.primaryEndpoint.address`. */
  readonly fieldPath: string;
  /**
   * String the value is written into, at each `{{value}}` (bindings.ts VALUE_PLACEHOLDER): an output built from an id,
   * such as a REST API's invoke URL. @default the value itself
   */
  readonly template?: string;
  /**
   * The value is the part of the field after the first occurrence of this marker, e.g. `/hostedzone/` turns Route 53's
   * `/hostedzone/Z0123` into the zone id `Z0123`; a field without the marker counts as not known yet. Applied before
   * `template`. @default the whole field
   */
  readonly after?: string;
}

/** A value known when rendering that becomes an output once the child exists. */
export interface ValueOutput {
  /** JSON pointer into `status.outputs`, e.g. `/buckets/0/name`. */
  readonly output: string;
  readonly value: string | number;
}

/** One output declaration. */
export type OutputDeclaration = FieldOutput | ValueOutput;

/** Annotation declaring the outputs of a child (omitted when there are none). */
export function outputAnnotations(outputs: readonly OutputDeclaration[]): Record<string, string> {
  return outputs.length > 0 ? { [OUTPUTS_ANNOTATION]: JSON.stringify(outputs) } : {};
}

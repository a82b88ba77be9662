/**
 * Late bindings: values a child needs from another child's status where ACK has no `*Ref` field
 * (docs/ack-facts.md, "References and late bindings"). Rendering stays pure by declaring them in an annotation;
 * the controller reads the source object, writes the value at `path` and only then applies the child.
 *
 * Filled by the controller (controllers/): the Origin Access Control id of a Distribution's S3 origins, the WAF web
 * ACL ARN of a Distribution (CLOUDFRONT scope), the Distribution ARN inside a bucket policy, the KMS key ARN of a
 * KMS-encrypted bucket, the target group ARNs and the ACM certificate ARN of a load balancer listener.
 * DBInstance → DBCluster needs no binding: the cluster identifier is a spec name we render. A REGIONAL web ACL is
 * not a field of any child: the operator associates it with the load balancer itself (aws-gaps.ts).
 */
import { PREFIX } from './naming.js';

/** Annotation carrying the JSON array of bindings of a child. */
export const BINDINGS_ANNOTATION = `${PREFIX}/bindings`;
/** Annotation carrying the JSON array of Kubernetes Secrets the operator must generate before applying a child. */
export const GENERATED_SECRETS_ANNOTATION = `${PREFIX}/generated-secrets`;
/** Placeholder replaced by the resolved value when a binding has a template. */
export const VALUE_PLACEHOLDER = '{{value}}';

/** One late binding. */
export interface Binding {
  /** JSON pointer of the field to set in the child, e.g. `/spec/distributionConfig/webACLID`. */
  readonly path: string;
  /** The child whose status holds the value (same namespace). */
  readonly from: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** Dot path of the value in the source object, e.g. `status.id`. */
  readonly fieldPath: string;
  /** Optional string template; `{{value}}` is replaced by the value (e.g. a bucket policy with the distribution ARN). */
  readonly template?: string;
  /**
   * true: the child is held back (not applied) until the value is known.
   * false: the child is applied without the field meanwhile.
   */
  readonly required: boolean;
  /**
   * Separator joining the values of every binding of the child that targets the same `path` and has a `join`, in the
   * order they are declared: one string field holding a list (an Auto Scaling group's comma-separated subnet ids). The
   * field is set once all of them are known. @default none: one binding, one value
   */
  readonly join?: string;
  /**
   * The template, once the value is in it, is JSON: the field gets the parsed object or list rather than a string.
   * With `from` naming the child itself, this holds a field back until the child exists in AWS (a target group
   * created with attributes reports no ARN until ACK's next resync). @default false
   */
  readonly json?: boolean;
}

/** A Kubernetes Secret the controller generates once (random value) and never overwrites. */
export interface GeneratedSecret {
  readonly name: string;
  readonly key: string;
  /** Length of the random value in characters. */
  readonly length: number;
}

/** Annotations declaring bindings and generated secrets (omitted when empty). */
export function bindingAnnotations(bindings: readonly Binding[], secrets: readonly GeneratedSecret[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  if (bindings.length > 0) out[BINDINGS_ANNOTATION] = JSON.stringify(bindings);
  if (secrets.length > 0) out[GENERATED_SECRETS_ANNOTATION] = JSON.stringify(secrets);
  return out;
}

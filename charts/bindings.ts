/**
 * Late bindings: values a child needs from another child's status where ACK has no `*Ref` field
 * (docs/ack-facts.md, "References and late bindings"). Rendering stays pure by declaring them in an annotation;
 * the controller reads the source object, writes the value at `path` and only then applies the child.
 *
 * Filled by the controller (controllers/; the full list is in docs/controller.md, "Values ACK cannot reference"): ARNs,
 * ids and endpoints a child names but cannot reference — CDN, listener, task, instance, database proxy and Lambda wiring;
 * the account id in the logs key policy and the access-log bucket policy, and the load balancer's logging attributes
 * once that bucket exists; alarm actions and the ARN parts CloudWatch names load balancers and target groups by
 * (alarms, dashboard body); Route 53 alias targets and ACM validation records; and app-client ids from the
 * environment's own status.outputs.
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
  /**
   * Dot path of the value in the source object, e.g. `status.id`; numeric parts index arrays. A `*` part stands for
   * the element of the array there that `where` selects.
   */
  readonly fieldPath: string;
  /**
   * Selects the element a `*` part of `fieldPath` stands for: the first whose fields have these values, e.g.
   * `{domainName: 'shop.example.com'}` in `status.domainValidations.*.resourceRecord.name` (ACM lists a certificate's
   * validation records in no fixed order). No such element: the value is not known yet. @default no `*` part
   */
  readonly where?: Readonly<Record<string, string>>;
  /**
   * The value is the part of the field after the first occurrence of this marker, e.g. `:loadbalancer/` turns a load
   * balancer ARN into the `app/<name>/<id>` CloudWatch names it by; a field without the marker counts as not known yet.
   * Applied before `template`. @default the whole field
   */
  readonly after?: string;
  /**
   * The value is the part of the field before the last occurrence of this marker, e.g. `.example.com` turns the ACM
   * validation record name `_a1b2.shop.example.com.` into `_a1b2.shop`, its name relative to the example.com zone; a
   * field without the marker counts as not known yet. Applied before `template`. @default the whole field
   */
  readonly before?: string;
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

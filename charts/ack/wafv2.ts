/**
 * The WebACL kind of the ACK wafv2-controller (v1.4.2), typed by hand: the Go module proxy reachable here serves no
 * version of that controller (docs/ack-versions.md). Only the fields the charts set are typed; names follow the
 * upstream CRD (wafv2.services.k8s.aws_webacls.yaml).
 */
import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';

/** CloudWatch metrics and sampling of a web ACL or rule. */
export interface VisibilityConfig {
  readonly cloudWatchMetricsEnabled: boolean;
  readonly metricName: string;
  readonly sampledRequestsEnabled: boolean;
}

/** A rule statement (the subset the charts use). */
export interface Statement {
  readonly rateBasedStatement?: { readonly limit: number; readonly aggregateKeyType: 'IP'; readonly evaluationWindowSec?: number };
  readonly managedRuleGroupStatement?: { readonly vendorName: string; readonly name: string };
}

/** A web ACL rule: `action` for plain statements, `overrideAction` for rule groups. */
export interface Rule {
  readonly name: string;
  readonly priority: number;
  readonly statement: Statement;
  readonly action?: { readonly block?: Record<string, never>; readonly count?: Record<string, never> };
  readonly overrideAction?: { readonly none?: Record<string, never>; readonly count?: Record<string, never> };
  readonly visibilityConfig: VisibilityConfig;
}

/** Spec of a WebACL. */
export interface WebAclSpec {
  readonly name: string;
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  readonly description?: string;
  readonly defaultAction: { readonly allow?: Record<string, never>; readonly block?: Record<string, never> };
  readonly rules: Rule[];
  readonly visibilityConfig: VisibilityConfig;
  readonly tags?: { readonly key: string; readonly value: string }[];
}

/** An ACK WebACL. */
export class WebAcl extends ApiObject {
  /** apiVersion and kind. */
  static readonly GVK: GroupVersionKind = { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL' };
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: WebAclSpec }) {
    super(scope, id, { ...WebAcl.GVK, ...props });
  }
}

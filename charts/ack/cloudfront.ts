/**
 * CloudFront kinds of the ACK cloudfront-controller (v1.7.1), typed by hand: the Go module proxy reachable here
 * serves no version of that controller, so `cdk8s import` has no CRD to read (docs/ack-versions.md). Only the fields
 * the charts set are typed; names follow the upstream CRD (cloudfront.services.k8s.aws_distributions.yaml and
 * _originaccesscontrols.yaml). Lists are wrapped as `{items: [...]}` and the CloudFront `quantity` fields are absent:
 * the controller computes them.
 */
import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';

const API_VERSION = 'cloudfront.services.k8s.aws/v1alpha1';

/** Spec of an OriginAccessControl. */
export interface OriginAccessControlSpec {
  readonly originAccessControlConfig: {
    readonly name: string;
    readonly description?: string;
    readonly originAccessControlOriginType: 's3';
    readonly signingBehavior: 'always' | 'never' | 'no-override';
    readonly signingProtocol: 'sigv4';
  };
}

/** An ACK OriginAccessControl. */
export class OriginAccessControl extends ApiObject {
  /** apiVersion and kind. */
  static readonly GVK: GroupVersionKind = { apiVersion: API_VERSION, kind: 'OriginAccessControl' };
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: OriginAccessControlSpec }) {
    super(scope, id, { ...OriginAccessControl.GVK, ...props });
  }
}

/** One origin of a distribution. */
export interface DistributionOrigin {
  readonly id: string;
  readonly domainName: string;
  readonly originPath?: string;
  /** Filled by the controller from the OriginAccessControl's status.id (no reference field exists). */
  readonly originAccessControlID?: string;
  readonly s3OriginConfig?: { readonly originAccessIdentity: string };
}

/** A cache behaviour (default or path-specific). */
export interface CacheBehavior {
  readonly pathPattern?: string;
  readonly targetOriginID: string;
  readonly viewerProtocolPolicy: 'redirect-to-https' | 'https-only' | 'allow-all';
  readonly allowedMethods?: { readonly items: string[]; readonly cachedMethods?: { readonly items: string[] } };
  readonly cachePolicyID?: string;
  readonly compress?: boolean;
}

/** Spec of a Distribution (the fields the charts set). */
export interface DistributionSpec {
  readonly distributionConfig: {
    readonly comment?: string;
    readonly enabled: boolean;
    readonly defaultRootObject?: string;
    readonly priceClass?: string;
    readonly httpVersion?: string;
    readonly isIPV6Enabled?: boolean;
    readonly origins: { readonly items: DistributionOrigin[] };
    readonly defaultCacheBehavior: CacheBehavior;
    readonly cacheBehaviors?: { readonly items: CacheBehavior[] };
    readonly viewerCertificate?: { readonly cloudFrontDefaultCertificate?: boolean; readonly minimumProtocolVersion?: string };
    readonly logging?: { readonly enabled: boolean; readonly bucket: string; readonly prefix: string; readonly includeCookies: boolean };
    /** Filled by the controller with the CLOUDFRONT-scope web ACL ARN (no reference field exists). */
    readonly webACLID?: string;
  };
  readonly tags?: { readonly key: string; readonly value: string }[];
}

/** An ACK Distribution. */
export class Distribution extends ApiObject {
  /** apiVersion and kind. */
  static readonly GVK: GroupVersionKind = { apiVersion: API_VERSION, kind: 'Distribution' };
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: DistributionSpec }) {
    super(scope, id, { ...Distribution.GVK, ...props });
  }
}
